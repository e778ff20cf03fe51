"""A preview summarises in SQL the case's venues whose presences are all plain check-ins (a busy
venue's rows stay out of Python): on random check-ins to the microsecond it finds what tracing
with evidence finds, on both databases; a venue with a stay or a correction is read as before.
And the pure parts: the check-in times that make a contact, the spans from the earliest and
latest of them, the orders counted by bisection."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthcode.container import Container
from healthcode.kernel.facts import Presence
from healthcode.kernel.ids import new_id
from healthcode.tracing.model.findings import (
    Contact,
    Finding,
    Interval,
    OverlapQuery,
    PlaceClass,
    Sighting,
    TraceRule,
    visits_of,
)
from healthcode.tracing.model.quarantine import count_orders, orders_for_findings
from healthcode.tracing.model.summary import (
    Spans,
    instant_reach,
    shortest,
    summarise_instants,
    summarise_visits,
)
from healthcode.tracing.repository import SqlTracingRepository
from healthcode.tracing.settings import QuarantineStep, TracingSettings
from healthcode.tracing.trace import find_case_exposures
from tracing_helpers import hours, officials, report, resident, stay

VENUES = ("hospital-1", "hospital-2")


def spans(findings: list[Finding]) -> list[tuple[object, ...]]:
    return [(f.subject, f.rule, f.place_id, f.first, f.at) for f in findings]


def _instant(rng: random.Random, start: datetime, spread_hours: float) -> datetime:
    return start + timedelta(microseconds=rng.randrange(int(spread_hours * 3600 * 10**6)))


def _scenario(container: Container, seed: int) -> tuple[str, str]:
    """Check-ins only, to the microsecond, at two venues: the case's 14 (its first and last at
    each venue alike, the last just before now, so that both venues are read together and
    held for the secondary contacts), three to eight for each of 24 others (some met by the
    case, some later by its contacts); the case id and the case's subject."""
    rng = random.Random(seed)  # noqa: S311 - a seeded scenario, no secret
    now = container.clock.now()
    # no households: every first contact is at a venue, which the case's read reaches
    people = [resident(container, seq) for seq in range(1, 26)]
    case, others = people[0], people[1:]
    start = now - hours(60)
    for venue in VENUES:
        for at in (start, now - hours(0.5)):
            stay(container, case, venue, at, kind="hospital")
    for _ in range(10):
        at = _instant(rng, start, 59)
        stay(container, case, rng.choice(VENUES), at, kind="hospital")
    for subject in others:
        for _ in range(rng.randrange(3, 9)):
            at = _instant(rng, start - hours(6), 66)
            stay(container, subject, rng.choice(VENUES), at, kind="hospital")
    case_id = report(container, officials(container)["wang"], case, sampled_at=now - hours(20))
    return case_id, case


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The places ``presences_at`` reads (row by row), counted."""
    reads: Counter[str] = Counter()
    presences_at = SqlTracingRepository.presences_at

    def counted(
        self: SqlTracingRepository, place_ids: Iterable[str], query: OverlapQuery
    ) -> list[Sighting]:
        place_ids = list(place_ids)
        reads.update(place_ids)
        return presences_at(self, place_ids, query)

    monkeypatch.setattr(SqlTracingRepository, "presences_at", counted)
    return reads


def _compare(container: Container, case_id: str) -> tuple[list[Finding], list[Finding]]:
    """The full trace's findings and the preview's, which must agree."""
    now = container.clock.now()
    with container.uow() as uow:
        record = uow.cases.get(case_id)
        assert record is not None
        full = find_case_exposures(uow, record, now=now)
        fast = find_case_exposures(uow, record, now=now, evidence=False)
    assert spans(fast.findings) == spans(full.findings)
    assert fast.counts == full.counts
    assert fast.counts.quarantine_orders == len(full.orders)
    return full.findings, fast.findings


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_a_preview_of_check_ins_only_finds_what_tracing_finds(
    container: Container, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Venues of plain check-ins are summarised, not read, and the preview equals the trace."""
    case_id, _ = _scenario(container, seed)
    reads = _count_reads(monkeypatch)
    full, _ = _compare(container, case_id)
    rules = {f.rule for f in full}
    assert {TraceRule.VENUE, TraceRule.SECONDARY_VENUE} <= rules, "close and secondary contacts"
    # the full trace read both venues; the preview read neither row by row
    assert reads == {venue: 1 for venue in VENUES}


def test_a_venue_with_a_stay_is_read_as_before(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One stay among a venue's check-ins sends that venue (only) back to the rows."""
    case_id, case = _scenario(container, 14)
    now = container.clock.now()
    stay(container, case, VENUES[0], now - hours(30), now - hours(29), kind="hospital")
    reads = _count_reads(monkeypatch)
    _compare(container, case_id)
    assert reads == {VENUES[0]: 2, VENUES[1]: 1}


def test_a_venue_with_a_correction_is_read_as_before(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check-in moved by a correction sends every venue of the read back to the rows."""
    case_id, case = _scenario(container, 15)
    now = container.clock.now()
    moved = stay(container, case, VENUES[0], now - hours(40), kind="hospital")
    # to the other venue of the same read: the check-in must go from the first's summary
    correction = replace(moved, id=new_id(), place_id=VENUES[1], supersedes=moved.id)
    _add(container, correction)
    reads = _count_reads(monkeypatch)
    _compare(container, case_id)
    assert set(reads) == set(VENUES)
    assert all(count == 2 for count in reads.values())


def _add(container: Container, presence: Presence) -> None:
    with container.uow() as uow:
        uow.facts.add(presence)
        uow.commit()


T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
_MICROS = st.integers(0, 6 * 3600 * 10**6)


@st.composite
def _intervals(draw: st.DrawFn) -> list[Interval]:
    """The case's intervals at one venue, some long, some short, some empty."""
    found: list[Interval] = []
    for start in draw(st.lists(_MICROS, min_size=1, max_size=8)):
        length = draw(st.sampled_from((0, 1, 10**6, 7 * 60 * 10**6, 15 * 60 * 10**6, 3600 * 10**6)))
        at = T0 + timedelta(microseconds=start)
        found.append(Interval(at, at + timedelta(microseconds=length)))
    return found


@settings(max_examples=150, deadline=None)
@given(
    intervals=_intervals(),
    ats=st.lists(st.tuples(st.sampled_from("abcd"), _MICROS), max_size=30),
    threshold=st.sampled_from((0.0, 1 / 3, 7.3, 15.0, 60.0)),
    stay_minutes=st.sampled_from((1.0, 30.0, 60.0)),
)
def test_the_earliest_and_latest_check_in_give_the_spans_of_every_check_in(
    intervals: list[Interval],
    ats: list[tuple[str, int]],
    threshold: float,
    stay_minutes: float,
) -> None:
    """Check-ins in ``instant_reach``, summarised by their extremes, equal the visits'."""
    settings_ = TracingSettings(
        venue_min_overlap_minutes=threshold, venue_assumed_stay_minutes=stay_minutes
    )
    least, stretch = shortest(threshold, False), timedelta(minutes=stay_minutes)
    moments = [(who, T0 + timedelta(microseconds=micros)) for who, micros in ats]
    sightings = [
        Sighting(str(i), who, "kfc", "hospital", "checkin", None, at, at)
        for i, (who, at) in enumerate(moments)
    ]
    sources = {"kfc": [(i, "hospital", None) for i in intervals]}
    rules, limits = {PlaceClass.VENUE: TraceRule.VENUE}, {TraceRule.VENUE: least}
    expected: Spans = {}
    summarise_visits(sources, visits_of(sightings, settings_), rules, limits, (), expected)
    reach = instant_reach(intervals, least, stretch)
    inside = [
        (s.subject, s.at) for s in sightings if any(low <= s.at <= high for low, high in reach)
    ]
    people = sorted({who for who, _ in inside})
    extremes = [
        (who, min(at for w, at in inside if w == who), max(at for w, at in inside if w == who))
        for who in people
    ]
    found: Spans = {}
    summarise_instants(sources, {"kfc": (stretch, extremes)}, TraceRule.VENUE, least, found, ())
    assert found == expected


@settings(max_examples=100, deadline=None)
@given(
    ends=st.lists(_MICROS, max_size=20),
    days=st.lists(st.sampled_from((0.0, 0.5, 1.0, 3.0, 7.0, 14.0)), min_size=1, max_size=3),
    issued=_MICROS,
)
def test_orders_counted_by_bisection_are_those_planned(
    ends: list[int], days: list[float], issued: int
) -> None:
    """``count_orders`` equals the number of orders ``orders_for_findings`` plans."""
    steps = [QuarantineStep(setting="home", days=d) for d in days]
    quarantine = {"close_contact": steps}
    findings = []
    for i, micros in enumerate(ends):
        moment = T0 - timedelta(days=7) + timedelta(microseconds=micros * 40)
        span = Interval(moment - timedelta(minutes=20), moment)
        contact = Contact("kfc", "hospital", span, span, span)
        findings.append(Finding(f"p{i % 7}", TraceRule.VENUE, "kfc", (contact,)))
    at = T0 + timedelta(microseconds=issued)
    planned = orders_for_findings(
        source_id="c", findings=findings, quarantine=quarantine, issued_at=at, reason="r"
    )
    assert count_orders(findings=findings, quarantine=quarantine, issued_at=at) == len(planned)
