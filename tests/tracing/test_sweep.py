"""The sweep over sorted intervals against the pair-by-pair matching it replaced, on random
visits: the same pairs, and the same findings with the same contacts for every rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthcode.tracing.model.contacts import close_contacts, companions, secondary_contacts
from healthcode.tracing.model.findings import (
    Contact,
    Finding,
    Interval,
    PlaceClass,
    Sighting,
    TraceRule,
    Visit,
    visit_of,
)
from healthcode.tracing.model.sweep import overlapping
from healthcode.tracing.settings import CompanionSettings, TracingSettings

T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
CELLS = ("8831aa5ab7fffff", "8831aa5ab3fffff")
# the same place id under two kinds too, and a trip id as a venue: the rule follows the class
PLACES = (
    ("louwailou", "restaurant"),
    ("louwailou", "hospital"),
    ("kfc", "restaurant"),
    ("line7:浙A1", "bus_route"),
    ("line7:浙A1", "restaurant"),
    ("line7:浙A2", "bus_route"),
    (CELLS[0], "cell"),
    (CELLS[1], "cell"),
)
SUBJECTS = ("case", "a", "b", "c", "d", "e")


def moment(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


intervals = st.builds(
    lambda start, length: Interval(moment(start), moment(start + length)),
    st.integers(0, 6 * 3600),
    st.integers(-60, 3 * 3600),  # empty and reversed intervals too
)


@st.composite
def sightings(draw: st.DrawFn, subjects: Sequence[str] = SUBJECTS) -> Sighting:
    place, kind = draw(st.sampled_from(PLACES))
    start = draw(st.integers(0, 6 * 3600)) // draw(st.sampled_from((1, 60, 900))) * 60
    length = draw(st.sampled_from((0, 0, 1, 59 * 60, 15 * 60, 3600, 4 * 3600)))
    cell = place if kind == "cell" else draw(st.sampled_from((None, *CELLS)))
    return Sighting(
        id=str(draw(st.integers(0, 10**6))),
        subject=draw(st.sampled_from(subjects)),
        place_id=place,
        place_kind=kind,
        source=draw(st.sampled_from(("checkin", "transit", "gps", "telecom"))),
        cell=cell,
        at=moment(start),
        until=moment(start + length),
    )


tracing_settings = st.builds(
    TracingSettings,
    venue_min_overlap_minutes=st.sampled_from((0.0, 7.5, 15.0, 60.0)),
    venue_assumed_stay_minutes=st.sampled_from((30.0, 60.0)),
    transit_min_overlap_minutes=st.sampled_from((0.0, 0.5, 20.0)),
    transit_assumed_ride_minutes=st.sampled_from((10.0, 30.0)),
    companion=st.builds(
        CompanionSettings,
        enabled=st.just(True),
        min_overlap_minutes=st.sampled_from((0.0, 10.0, 30.0)),
        strictly_more=st.booleans(),
        dwell_hours=st.sampled_from((0.0, 1.0, 3.0)),
        dwell_days=st.just(1.0),
    ),
)
windows = st.builds(
    lambda start, length: Interval(moment(start), moment(start + length)),
    st.integers(-3600, 4 * 3600),
    st.integers(0, 6 * 3600),
)


# The matching as it was before the sweep: every candidate against every source at its place.


def _old_threshold(rule: TraceRule, s: TracingSettings) -> float:
    if rule in (TraceRule.TRANSIT, TraceRule.SECONDARY_TRANSIT):
        return s.transit_min_overlap_minutes
    return s.venue_min_overlap_minutes


def _old_shared_places(
    sources: Iterable[Visit],
    within: Interval,
    candidates: Iterable[Visit],
    rules: Mapping[PlaceClass, TraceRule],
    s: TracingSettings,
    exclude: set[str],
) -> list[Finding]:
    by_place: dict[str, list[tuple[Visit, Interval]]] = defaultdict(list)
    for source in sources:
        clipped = source.interval.overlap(within)
        if source.place in rules and clipped is not None:
            by_place[source.place_id].append((source, clipped))
    episodes: dict[tuple[str, TraceRule, str], list[Contact]] = defaultdict(list)
    for candidate in candidates:
        if candidate.subject in exclude or candidate.place_id not in by_place:
            continue
        rule = rules.get(candidate.place)
        if rule is None:
            continue
        for source, clipped in by_place[candidate.place_id]:
            common = clipped.overlap(candidate.interval)
            if common is not None and common.minutes >= _old_threshold(rule, s):
                episodes[(candidate.subject, rule, candidate.place_id)].append(
                    Contact(
                        candidate.place_id, source.place_kind, clipped, candidate.interval, common
                    )
                )
    return [
        Finding(subject=su, rule=r, place_id=p, contacts=tuple(set(c)))
        for (su, r, p), c in sorted(episodes.items())
    ]


def _old_companions(  # noqa: C901 - the old matching as it was, for comparison
    window: Interval, own: Sequence[Visit], candidates: Sequence[Visit], s: TracingSettings
) -> list[Finding]:
    cs = s.companion
    if window.end <= window.start:
        return []
    lookback = Interval(window.end - cs.dwell_lookback, window.end)
    own = [v for v in own if v.cell is not None and v.source in cs.sources]
    others = [
        v
        for v in candidates
        if v.cell is not None and v.source in cs.sources and v.subject != "case"
    ]
    dwell: dict[tuple[str, str | None], float] = defaultdict(float)
    for v in [*own, *others]:
        common = v.interval.overlap(lookback)
        if common is not None:
            dwell[(v.subject, v.cell)] += common.minutes / 60
    by_cell: dict[str | None, list[Interval]] = defaultdict(list)
    for v in own:
        clipped = v.interval.overlap(window)
        if clipped is not None:
            by_cell[v.cell].append(clipped)
    episodes: dict[tuple[str, str], list[Contact]] = defaultdict(list)
    for candidate in others:
        cell = candidate.cell
        if cell is None or cell not in by_cell:
            continue
        if cs.dwell_hours > 0 and (
            max(dwell[("case", cell)], dwell[(candidate.subject, cell)]) < cs.dwell_hours
        ):
            continue
        for clipped in by_cell[cell]:
            common = clipped.overlap(candidate.interval)
            minutes, limit = (common.minutes if common else 0), cs.min_overlap_minutes
            if common is not None and (minutes > limit if cs.strictly_more else minutes >= limit):
                episodes[(candidate.subject, cell)].append(
                    Contact(cell, "cell", clipped, candidate.interval, common)
                )
    return [
        Finding(subject=su, rule=TraceRule.COMPANION, place_id=cell, contacts=tuple(set(c)))
        for (su, cell), c in sorted(episodes.items())
    ]


def _old_secondary(
    windows: Mapping[str, Interval],
    contact_visits: Mapping[str, Sequence[Visit]],
    candidates: Sequence[Visit],
    s: TracingSettings,
    exclude: set[str],
) -> list[Finding]:
    rules = {
        PlaceClass.VENUE: TraceRule.SECONDARY_VENUE,
        PlaceClass.TRIP: TraceRule.SECONDARY_TRANSIT,
    }
    by_place: dict[str, list[Visit]] = defaultdict(list)
    for candidate in candidates:
        if candidate.subject not in exclude:
            by_place[candidate.place_id].append(candidate)
    # one finding per person, rule and place, with the contacts of every close contact there
    merged: dict[tuple[str, TraceRule, str | None], set[Contact]] = defaultdict(set)
    for contact, window in windows.items():
        visits = contact_visits.get(contact, ())
        nearby = [c for v in visits for c in by_place.get(v.place_id, ())]
        for f in _old_shared_places(visits, window, nearby, rules, s, exclude):
            merged[(f.subject, f.rule, f.place_id)].update(f.contacts)
    return [
        Finding(subject=su, rule=r, place_id=p, contacts=tuple(c))
        for (su, r, p), c in sorted(merged.items())
    ]


def _key(c: Contact) -> tuple[datetime, datetime, datetime]:
    """The order the old matching sorted contacts in (ties were left in any order)."""
    return (c.overlap.start, c.contact_interval.start, c.source_interval.start)


def assert_same(new: list[Finding], old: list[Finding]) -> None:
    """The same findings in the same order, each with the same contacts, in the old order."""

    def shown(findings: list[Finding]) -> list[tuple[object, ...]]:
        return [(f.subject, f.rule, f.place_id, f.at, f.first, f.overlap_minutes) for f in findings]

    assert shown(new) == shown(old)
    for n, o in zip(new, old, strict=True):
        assert len(n.contacts) == len(set(n.contacts)) == len(o.contacts)
        assert set(n.contacts) == set(o.contacts)
        assert [_key(c) for c in n.contacts] == sorted(_key(c) for c in o.contacts)


def visits(found: Sequence[Sighting], s: TracingSettings) -> list[Visit]:
    return [visit_of(p, s) for p in found]


@settings(max_examples=400, deadline=None)
@given(st.lists(intervals, max_size=30), st.lists(intervals, max_size=30))
def test_sweep_finds_every_pair_that_shares_time_once(
    first: list[Interval], second: list[Interval]
) -> None:
    """The sweep yields exactly the pairs of intervals that share time, each once."""
    pairs = list(overlapping(first, second))
    expected = {
        (i, j)
        for i, a in enumerate(first)
        for j, b in enumerate(second)
        if a.overlap(b) is not None
    }
    assert len(pairs) == len(set(pairs))
    assert set(pairs) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(sightings(("case",)), max_size=12),
    st.lists(sightings(), max_size=40),
    windows,
    tracing_settings,
)
def test_close_contacts_are_those_of_matching_pair_by_pair(
    case: list[Sighting], others: list[Sighting], window: Interval, s: TracingSettings
) -> None:
    """Venue and transit close contacts: the same findings and contacts as pair by pair."""
    rules = {PlaceClass.VENUE: TraceRule.VENUE, PlaceClass.TRIP: TraceRule.TRANSIT}
    new = close_contacts(
        case_subject="case",
        window=window,
        case_visits=visits(case, s),
        candidates=visits(others, s),
        household=(),
        settings=s,
    )
    old = _old_shared_places(visits(case, s), window, visits(others, s), rules, s, {"case"})
    assert_same(new, old)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(sightings(("case",)), max_size=12),
    st.lists(sightings(), max_size=40),
    windows,
    tracing_settings,
)
def test_companions_are_those_of_matching_pair_by_pair(
    case: list[Sighting], others: list[Sighting], window: Interval, s: TracingSettings
) -> None:
    """Companions in a cell: the same findings and contacts as pair by pair."""
    new = companions(
        case_subject="case",
        window=window,
        case_visits=visits(case, s),
        candidates=visits(others, s),
        settings=s,
    )
    assert_same(new, _old_companions(window, visits(case, s), visits(others, s), s))


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(("a", "b", "c")), windows, max_size=3),
    st.lists(sightings(("a", "b", "c")), max_size=20),
    st.lists(sightings(), max_size=40),
    tracing_settings,
)
def test_secondary_contacts_are_those_of_matching_pair_by_pair(
    contact_windows: dict[str, Interval],
    theirs: list[Sighting],
    others: list[Sighting],
    s: TracingSettings,
) -> None:
    """Secondary contacts at venues and on trips: the same as pair by pair, contact by contact."""
    s = TracingSettings(**{**vars(s), "secondary_rules": ("venue", "transit")})
    by_contact: dict[str, list[Visit]] = defaultdict(list)
    for v in visits(theirs, s):
        by_contact[v.subject].append(v)
    windows_in_order = dict(sorted(contact_windows.items()))
    exclude = {"case", "a"}  # the case and a close contact, whoever else "a" met
    candidates = visits(others, s) + visits(theirs, s)
    new = secondary_contacts(
        windows=windows_in_order,
        contact_visits=by_contact,
        candidates=candidates,
        households={},
        settings=s,
        exclude=exclude,
    )
    old = _old_secondary(windows_in_order, by_contact, candidates, s, exclude)
    assert_same(new, old)


def test_matching_work_follows_the_pairs_that_share_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """200 visits of the case against 2,000 at other times are not compared pair by pair."""
    calls = 0
    overlap = Interval.overlap

    def counted(self: Interval, other: Interval) -> Interval | None:
        nonlocal calls
        calls += 1
        return overlap(self, other)

    monkeypatch.setattr(Interval, "overlap", counted)
    s = TracingSettings()
    day = 24 * 3600
    case = [
        Sighting(
            f"c{i}", "case", "kfc", "restaurant", "checkin", None, moment(i * 60), moment(i * 60)
        )
        for i in range(200)
    ]
    others = [
        Sighting(
            f"o{i}",
            f"p{i}",
            "kfc",
            "restaurant",
            "checkin",
            None,
            moment(day + i * 60),
            moment(day + i * 60),
        )
        for i in range(2_000)
    ]
    whole = Interval(moment(0), moment(3 * day))
    found = close_contacts(
        case_subject="case",
        window=whole,
        case_visits=visits(case, s),
        candidates=visits(others, s),
        household=(),
        settings=s,
    )
    assert found == []
    assert calls <= 200  # clipping the case's visits to the window; pair by pair: 400,000
