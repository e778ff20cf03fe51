"""One trace reads each place once: the secondary contacts at the case's own venue are found
from the rows read for the close contacts, on both databases; and the cyclic collector pause."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta

import pytest

from healthcode.container import Container
from healthcode.tracing import cases
from healthcode.tracing.collector import collector_paused
from healthcode.tracing.model.findings import OverlapQuery, Sighting
from healthcode.tracing.repository import SqlTracingRepository
from tracing_helpers import confirm, hours, officials, report, resident, stay, work


def test_the_case_s_venue_is_read_once_for_close_and_secondary_contacts(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A close contact's later visitor at the case's venue is found without a second read."""
    now = container.clock.now()
    case, diner, late = (resident(container, seq) for seq in (1, 2, 3))
    dinner = now - timedelta(days=1, hours=20)
    stay(container, case, "louwailou", dinner, dinner + hours(1))
    stay(container, diner, "louwailou", dinner + hours(0.5), dinner + hours(3))
    stay(container, late, "louwailou", dinner + hours(2), dinner + hours(4))
    who = officials(container)
    case_id = report(container, who["wang"], case, sampled_at=now - hours(12))
    reads: Counter[str] = Counter()
    presences_at = SqlTracingRepository.presences_at

    def counted(
        self: SqlTracingRepository, place_ids: Iterable[str], query: OverlapQuery
    ) -> list[Sighting]:
        place_ids = list(place_ids)
        reads.update(place_ids)
        return presences_at(self, place_ids, query)

    monkeypatch.setattr(SqlTracingRepository, "presences_at", counted)
    preview = cases.preview_case(
        uow=container.uow(), clock=container.clock, principal=who["li"], case_id=case_id
    )
    assert preview.by_rule == {"secondary-venue": 1, "venue": 1}
    assert reads == {"louwailou": 1}
    confirm(container, who["li"], case_id)
    work(container)
    traced = cases.get_case(
        uow=container.uow(), clock=container.clock, principal=who["li"], case_id=case_id
    )
    assert dict(traced.record.trace_counts) == {"secondary-venue": 1, "venue": 1}
    assert reads == {"louwailou": 2}  # once by the preview, once by the trace


def test_presences_of_leaves_out_the_places_the_caller_holds(container: Container) -> None:
    """``skip_places`` leaves out a person's presences at those places, not the others."""
    now = container.clock.now()
    person = resident(container, 1)
    stay(container, person, "louwailou", now - hours(5), now - hours(4))
    kept = stay(container, person, "office-9", now - hours(3), now - hours(2), kind="office")
    query = OverlapQuery(now - hours(6), now, timedelta(hours=24))
    with container.uow() as uow:
        everything = uow.tracing.presences_of([person], query)
        elsewhere = uow.tracing.presences_of([person], query, skip_places={"louwailou"})
    assert {p.place_id for p in everything} == {"louwailou", "office-9"}
    assert [p.id for p in elsewhere] == [kept.id]


def test_the_collector_is_paused_inside_and_resumed_after() -> None:
    """The cyclic collector is off inside, on again after, even when the work fails."""
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("tracing failed")
    assert gc.isenabled()


def test_the_collector_stays_off_when_it_was_off() -> None:
    """A pause inside a pause, or under a collector someone else stopped, does not restart it."""
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_pauses_resume_the_collector_when_the_last_ends() -> None:
    """Two traces that overlap (the first ends first) keep it off until the second ends."""
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()
