"""The preview's summarised matching against the full matching, on random visits: the same
findings (person, rule, place) with the same first and last contact, hence the same
counts and quarantine orders; and the full evidence written out moment by moment as before."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from healthcode.tracing.derive import desired_exposures
from healthcode.tracing.model.contacts import close_contacts, secondary_contacts
from healthcode.tracing.model.findings import (
    Contact,
    Finding,
    Interval,
    Sighting,
    TraceRule,
    Visit,
    exposure_id,
    visit_of,
)
from healthcode.tracing.model.summary import shortest
from healthcode.tracing.settings import TracingSettings

T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
PLACES = (
    ("louwailou", "restaurant"),
    ("kfc", "hospital"),
    ("line7:浙A1", "bus_route"),
    ("line7:浙A2", "bus_route"),
)


@st.composite
def sightings(draw: st.DrawFn, subjects: tuple[str, ...]) -> Sighting:
    """Visits to the microsecond, instants among them, so that overlaps fall on every side
    of the thresholds."""
    place, kind = draw(st.sampled_from(PLACES))
    start = draw(st.integers(0, 4 * 3600 * 10**6)) // draw(st.sampled_from((1, 10**6, 60 * 10**6)))
    unit = draw(st.sampled_from((1, 10**6, 60 * 10**6)))
    length = draw(st.sampled_from((0, 0, 1, 7, 15, 20, 30, 45, 60, 90))) * unit
    at = T0 + timedelta(microseconds=start * unit // max(unit, 1))
    return Sighting(
        id=str(draw(st.integers(0, 10**6))),
        subject=draw(st.sampled_from(subjects)),
        place_id=place,
        place_kind=kind,
        source="checkin",
        cell=None,
        at=at,
        until=at + timedelta(microseconds=length * 60 if unit == 10**6 else length),
    )


tracing_settings = st.builds(
    TracingSettings,
    venue_min_overlap_minutes=st.sampled_from((0.0, 1 / 3, 7.3, 15.0, 60.0)),
    venue_assumed_stay_minutes=st.sampled_from((30.0, 60.0)),
    transit_min_overlap_minutes=st.sampled_from((0.0, 0.5, 20.0)),
    transit_assumed_ride_minutes=st.sampled_from((10.0, 30.0)),
)
windows = st.builds(
    lambda start, length: Interval(
        T0 + timedelta(seconds=start), T0 + timedelta(seconds=start + length)
    ),
    st.integers(-3600, 3 * 3600),
    st.integers(0, 5 * 3600),
)


def spans(findings: list[Finding]) -> list[tuple[object, ...]]:
    return [(f.subject, f.rule, f.place_id, f.first, f.at) for f in findings]


def visits(found: list[Sighting], s: TracingSettings) -> list[Visit]:
    return [visit_of(p, s) for p in found]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(sightings(("case",)), max_size=12),
    st.lists(sightings(("a", "b", "c", "d")), max_size=40),
    windows,
    tracing_settings,
)
def test_summarised_close_contacts_have_the_spans_of_the_full_ones(
    case: list[Sighting], others: list[Sighting], window: Interval, s: TracingSettings
) -> None:
    """Close contacts summarised (a preview): the same findings, first and last contacts."""
    found = {
        evidence: close_contacts(
            case_subject="case",
            window=window,
            case_visits=visits(case, s),
            candidates=visits(others, s),
            household=(),
            settings=s,
            evidence=evidence,
        )
        for evidence in (True, False)
    }
    assert spans(found[False]) == spans(found[True])


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(("a", "b", "c")), windows, max_size=3),
    st.lists(sightings(("a", "b", "c")), max_size=20),
    st.lists(sightings(("d", "e", "f")), max_size=40),
    tracing_settings,
)
def test_summarised_secondary_contacts_have_the_spans_of_the_full_ones(
    contact_windows: dict[str, Interval],
    theirs: list[Sighting],
    others: list[Sighting],
    s: TracingSettings,
) -> None:
    """Secondary contacts summarised: the same findings, first and last contacts, per place."""
    s = TracingSettings(**{**vars(s), "secondary_rules": ("venue", "transit")})
    by_contact: dict[str, list[Visit]] = defaultdict(list)
    for v in visits(theirs, s):
        by_contact[v.subject].append(v)
    found = {
        evidence: secondary_contacts(
            windows=dict(sorted(contact_windows.items())),
            contact_visits=by_contact,
            candidates=visits(others, s) + visits(theirs, s),
            households={},
            settings=s,
            exclude={"case", "a"},
            evidence=evidence,
        )
        for evidence in (True, False)
    }
    assert spans(found[False]) == spans(found[True])


@given(st.sampled_from((0.0, 1 / 3, 0.5, 7.3, 15.0, 60.0)), st.booleans())
def test_the_shortest_overlap_is_the_least_that_the_rule_counts(
    threshold: float, strictly: bool
) -> None:
    """``shortest`` gives the least overlap, to the microsecond, that the minutes test passes."""

    def counts(length: timedelta) -> bool:
        minutes = length.total_seconds() / 60
        return length > timedelta(0) and (minutes > threshold if strictly else minutes >= threshold)

    least = shortest(threshold, strictly)
    assert counts(least)
    assert not counts(least - timedelta(microseconds=1))


def test_evidence_writes_equal_moments_of_two_zones_apart() -> None:
    """The same moment in two zones keeps each zone's text in an exposure's evidence."""
    shanghai = timezone(timedelta(hours=8))
    utc = Interval(T0, T0 + timedelta(hours=1))
    local = Interval(T0.astimezone(shanghai), (T0 + timedelta(hours=1)).astimezone(shanghai))
    contacts = (
        Contact("kfc", "restaurant", local, utc, utc),
        Contact("kfc", "restaurant", utc, local, local),
    )
    finding = Finding(subject="a", rule=TraceRule.VENUE, place_id="kfc", contacts=contacts)
    [desired] = desired_exposures("case-1", [(exposure_id("case-1", finding), finding)], now=T0)
    written = desired.evidence["contacts"]
    assert written[0]["source"]["start"] == "2026-03-10T10:00:00+08:00"
    assert written[0]["contact"]["start"] == "2026-03-10T02:00:00+00:00"
    assert written[1]["source"]["start"] == "2026-03-10T02:00:00+00:00"
    assert written[1]["overlap"]["end"] == "2026-03-10T11:00:00+08:00"
