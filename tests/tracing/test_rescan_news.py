"""A late rescan traces a case again only when something it reads is new: a presence recorded
since the last trace that began before the confirmation, a person registered into a traced
household, or other tracing settings; otherwise it reads nothing and queues the next one."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from healthcode.policy.loader import load_policy
from healthcode.status.assessment import current_status
from healthcode.tracing import trace
from tracing_helpers import confirm, hours, officials, report, resident, stay, work

HANGZHOU = Path(trace.__file__).parents[1] / "policy" / "bundled" / "hangzhou.yaml"


@pytest.fixture
def traces(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The case ids that tracing read presences for, in order."""
    seen: list[str] = []
    real = trace.find_case_exposures

    def counted(*args: object, **kwargs: object) -> trace.CaseTrace:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(found.case_id)
        return found

    monkeypatch.setattr(trace, "find_case_exposures", counted)
    return seen


def _colour(container: Container, subject: str) -> str:
    return current_status(uow=container.uow(), clock=container.clock, subject=subject).colour


def _confirmed(container: Container, case: str, now: datetime) -> str:
    who = officials(container)
    case_id = report(container, who["wang"], case, sampled_at=now - hours(3))
    confirm(container, who["li"], case_id)
    assert work(container).jobs_done == 1
    return case_id


def _rescan(container: Container, clock: FixedClock) -> None:
    clock.advance(timedelta(minutes=15))
    assert work(container).jobs_done == 1


def test_a_rescan_with_nothing_new_reads_nothing_and_queues_the_next(
    container: Container, clock: FixedClock, traces: list[str]
) -> None:
    """Rescans with nothing recorded since only move traced_at on, until the horizon ends."""
    case, contact = resident(container, 1), resident(container, 2)
    now = clock.now()
    stay(container, case, "gym", now - hours(30), now - hours(29))
    stay(container, contact, "gym", now - hours(30), now - hours(29))
    case_id = _confirmed(container, case, now)
    assert traces == [case_id] and _colour(container, contact) == "red"
    clock.advance(hours(1))
    assert work(container).jobs_done == 1  # still within the margin of what the trace read
    _rescan(container, clock)
    assert traces == [case_id, case_id]
    with container.uow() as uow:
        record = uow.cases.get(case_id)
    assert record is not None and record.traced_at == clock.now()
    stay(container, contact, "office", clock.now(), clock.now() + hours(1))  # after confirmation
    _rescan(container, clock)
    assert traces == [case_id, case_id]
    clock.advance(hours(72))
    assert work(container).jobs_done == 1
    clock.advance(hours(1))
    assert work(container).jobs_done == 0


def test_a_presence_uploaded_late_is_traced_by_a_rescan_after_quiet_ones(
    container: Container, clock: FixedClock, traces: list[str]
) -> None:
    """A presence before the confirmation uploaded after quiet rescans is traced at the next."""
    case, late = resident(container, 1), resident(container, 2)
    now = clock.now()
    stay(container, case, "gym", now - hours(30), now - hours(29))
    case_id = _confirmed(container, case, now)
    clock.advance(hours(1))
    assert work(container).jobs_done == 1
    _rescan(container, clock)
    assert traces == [case_id, case_id]  # the first rescan looked back over the margin
    stay(container, late, "gym", now - hours(30), now - hours(29))
    assert _colour(container, late) == "green"
    _rescan(container, clock)
    assert traces == [case_id, case_id, case_id] and _colour(container, late) == "red"


def test_a_person_registered_into_the_case_household_is_traced_by_a_rescan(
    container: Container, clock: FixedClock, traces: list[str]
) -> None:
    """Someone who registers at the case's home after quiet rescans is exposed at the next."""
    case = resident(container, 1, home=7)
    now = clock.now()
    case_id = _confirmed(container, case, now)
    clock.advance(hours(1))
    work(container)
    _rescan(container, clock)
    before = len(traces)
    _rescan(container, clock)
    assert len(traces) == before and traces[-1] == case_id
    newcomer = resident(container, 2, home=7)
    _rescan(container, clock)
    assert len(traces) == before + 1 and _colour(container, newcomer) == "red"


def test_a_policy_tracing_otherwise_is_traced_under_at_the_next_rescan(
    container: Container, clock: FixedClock, traces: list[str]
) -> None:
    """Other tracing settings (a 5-minute venue overlap) trace the case again and find more."""
    case, brief = resident(container, 1), resident(container, 2)
    now = clock.now()
    stay(container, case, "gym", now - hours(30), now - hours(29))
    stay(container, brief, "gym", now - hours(29) - timedelta(minutes=10), now - hours(28))
    case_id = _confirmed(container, case, now)
    clock.advance(hours(1))
    work(container)
    _rescan(container, clock)
    assert _colour(container, brief) == "green"
    before = len(traces)
    source = HANGZHOU.read_text(encoding="utf-8")
    _activate(container, clock, source.replace("min_overlap_minutes: 15", "min_overlap_minutes: 5"))
    _rescan(container, clock)
    assert traces[before:] == [case_id] and _colour(container, brief) == "red"


@pytest.mark.parametrize("companion", [False, True])
def test_a_late_stay_in_a_cell_is_news_only_under_the_companion_rule(
    container: Container, clock: FixedClock, traces: list[str], companion: bool
) -> None:
    """A phone's stay in a cell uploaded late is traced again only if companions are traced."""
    if companion:
        source = HANGZHOU.read_text(encoding="utf-8")
        _activate(container, clock, source.replace("companion: {enabled: false, ", "companion: {"))
    case, phone = resident(container, 1), resident(container, 2)
    now = clock.now()
    stay(container, case, "gym", now - hours(30), now - hours(29))
    case_id = _confirmed(container, case, now)
    clock.advance(hours(1))
    work(container)
    _rescan(container, clock)
    before = len(traces)
    # a stay in a location cell, as the location feed stores one
    cell = "8831aa5089fffff"
    stay(
        container,
        phone,
        cell,
        now - hours(30),
        now - hours(29),
        kind="cell",
        source="gps",
        cell=cell,
    )
    _rescan(container, clock)
    assert traces[before:] == ([case_id] if companion else [])


def _activate(container: Container, clock: FixedClock, source: str) -> None:
    """Activate a variant of the Hangzhou policy now, under a version of its own."""
    source = source.replace('version: "2020.2"', 'version: "2020.2-variant"')
    with container.uow() as uow:
        uow.policies.add(
            source=source,
            policy=load_policy(source),
            activated_at=clock.now(),
            activated_by="test",
            approved_by=None,
        )
        uow.commit()
