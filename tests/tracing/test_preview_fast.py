"""The preview's fast path against the reference: on random presences in the database, a
preview finds the same people, rules, places, first and last contacts and counts as
tracing with every contact's evidence, and both what the rules find on every presence, on both
databases."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from healthcode.container import Container
from healthcode.tracing.model.cases import CaseRecord
from healthcode.tracing.model.contacts import (
    close_contacts,
    most_severe,
    secondary_contacts,
    secondary_windows,
)
from healthcode.tracing.model.findings import (
    CLOSE_CONTACT,
    Finding,
    OverlapQuery,
    Visit,
    infectious_window,
    visits_of,
)
from healthcode.tracing.ports import TracingUnitOfWork
from healthcode.tracing.settings import tracing_settings
from healthcode.tracing.trace import find_case_exposures
from tracing_helpers import hours, officials, report, resident, ride, stay

VENUES = (("louwailou", "restaurant"), ("kfc", "hospital"), ("zhijiang", "restaurant"))
TRIPS = ("line7:浙A1", "line7:浙A2")


def spans(findings: list[Finding]) -> list[tuple[object, ...]]:
    return [(f.subject, f.rule, f.place_id, f.first, f.at) for f in findings]


def _visit(
    container: Container, rng: random.Random, subject: str, start: datetime, spread: float
) -> None:
    """A check-in, a stay or a ride at a random time, to the microsecond."""
    at = start + timedelta(microseconds=rng.randrange(int(spread * 3600 * 10**6)))
    length = rng.choice((None, None, timedelta(minutes=15), timedelta(minutes=rng.random() * 90)))
    if rng.random() < 0.25:
        ride(container, subject, rng.choice(TRIPS), at, at + (length or timedelta(minutes=20)))
        return
    place, kind = rng.choice(VENUES)
    stay(container, subject, place, at, None if length is None else at + length, kind=kind)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_preview_finds_what_tracing_with_evidence_finds(container: Container, seed: int) -> None:
    """On random visits the preview's summarised findings and counts equal the full trace's."""
    rng = random.Random(seed)  # noqa: S311 - a seeded scenario, no secret
    now = container.clock.now()
    people = [resident(container, seq, home=seq // 3) for seq in range(1, 16)]
    case, others = people[0], people[1:]
    start = now - timedelta(days=3)
    for _ in range(20):
        _visit(container, rng, case, start, 60)
    for subject in others:
        for _ in range(rng.randrange(4, 14)):
            _visit(container, rng, subject, start + hours(12), 60)
    case_id = report(container, officials(container)["wang"], case, sampled_at=now - hours(20))
    with container.uow() as uow:
        record = uow.cases.get(case_id)
        assert record is not None
        full = find_case_exposures(uow, record, now=now)
        fast = find_case_exposures(uow, record, now=now, evidence=False)
    assert full.findings, "the scenario finds contacts"
    assert spans(fast.findings) == spans(full.findings)
    assert fast.counts == full.counts
    assert fast.counts.quarantine_orders == len(full.orders)


def _reference(uow: TracingUnitOfWork, record: CaseRecord, now: datetime) -> list[Finding]:
    """The rules of ``tracing.model`` on every presence in the database, without the trace's
    reads (each place read once, the close contacts' visits cut to those that can pair)."""
    settings = tracing_settings(uow.policies.active(record.jurisdiction))
    assert not settings.companion.enabled, "the reference leaves companions out"
    subject, cutoff = record.details.subject, record.confirmed_at or now
    window = infectious_window(
        onset_at=record.details.onset_at,
        sampled_at=record.details.sampled_at,
        isolated_at=record.isolation(now),
        settings=settings,
    )
    ever = OverlapQuery(now - timedelta(days=30), now + timedelta(days=1), timedelta(days=30))
    everyone = visits_of(
        uow.tracing.presences_at([p for p, _ in VENUES] + list(TRIPS), ever), settings
    )
    primary = close_contacts(
        case_subject=subject,
        window=window,
        case_visits=[v for v in everyone if v.subject == subject],
        candidates=everyone,
        household=uow.tracing.households([subject]).get(subject, []),
        settings=settings,
    )
    windows = secondary_windows(primary, cutoff)
    by_contact: dict[str, list[Visit]] = {}
    for v in everyone:
        by_contact.setdefault(v.subject, []).append(v)
    secondary = secondary_contacts(
        windows=windows,
        contact_visits=by_contact,
        candidates=everyone,
        households=uow.tracing.households(sorted(windows)),
        settings=settings,
        exclude={subject, *(f.subject for f in primary if f.category == CLOSE_CONTACT)},
    )
    return most_severe([*primary, *secondary])


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_tracing_finds_what_the_rules_find_on_every_presence(
    container: Container, seed: int
) -> None:
    """On random visits tracing and its preview find what the rules find on every presence."""
    rng = random.Random(seed)  # noqa: S311 - a seeded scenario, no secret
    now = container.clock.now()
    # no households: the first contact is at a place, which the case's read reaches
    people = [resident(container, seq) for seq in range(1, 21)]
    case, others = people[0], people[1:]
    start = now - timedelta(days=3)
    for _ in range(20):
        _visit(container, rng, case, start, 72)  # to now: its venues are held
    for subject in others:
        for _ in range(rng.randrange(4, 14)):
            _visit(container, rng, subject, start + hours(12), 60)
    case_id = report(container, officials(container)["wang"], case, sampled_at=now - hours(20))
    with container.uow() as uow:
        record = uow.cases.get(case_id)
        assert record is not None
        full = find_case_exposures(uow, record, now=now)
        fast = find_case_exposures(uow, record, now=now, evidence=False)
        reference = _reference(uow, record, now)
    assert any(f.category != CLOSE_CONTACT for f in reference), "secondary contacts found"
    assert [(f.subject, f.rule, f.place_id, f.contacts) for f in full.findings] == [
        (f.subject, f.rule, f.place_id, f.contacts) for f in reference
    ]
    assert spans(fast.findings) == spans(reference)
