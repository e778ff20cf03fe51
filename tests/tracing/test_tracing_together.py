"""Cases confirmed together are traced in one transaction, with the same outcome as one by one:
a person exposed by two cases has both exposures and one change of colour naming both."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from healthcode.container import Container
from healthcode.jobs.model import LEASE
from healthcode.jobs.queue import run_due
from healthcode.kernel.facts import FactKind
from healthcode.notifications.delivery import outbox
from healthcode.status.assessment import current_status, status_history
from healthcode.tracing import derive as derived
from identity_helpers import add_test_channel, bind_to_channel
from tracing_helpers import confirm, hours, officials, report, resident, stay, work


def test_two_cases_sharing_a_contact_change_the_contact_once(container: Container) -> None:
    """A contact of two cases traced in one pass turns red once, naming both, and is told once."""
    who = officials(container)
    first, second = resident(container, 1), resident(container, 2)
    contact, stranger = resident(container, 3), resident(container, 4)
    kit = add_test_channel(container)
    bind_to_channel(container, kit, contact, "u3")
    now = container.clock.now()
    stay(container, first, "cafe-a", now - hours(30), now - hours(29))
    stay(container, contact, "cafe-a", now - hours(30), now - hours(29))
    stay(container, second, "cafe-b", now - hours(20), now - hours(19))
    stay(container, contact, "cafe-b", now - hours(20), now - hours(19))
    stay(container, stranger, "cafe-b", now - hours(10), now - hours(9))
    cases = [
        report(container, who["wang"], subject, sampled_at=now - hours(3))
        for subject in (first, second)
    ]
    for case_id in cases:
        confirm(container, who["li"], case_id)

    assert work(container).jobs_done == 2

    with container.uow() as uow:
        exposures = uow.facts.for_subject(contact, kinds=[FactKind.EXPOSURE])
    assert sorted(e.source_id for e in exposures) == sorted(cases)  # type: ignore[attr-defined]
    assert current_status(uow=container.uow(), clock=container.clock, subject=contact).colour == (
        "red"
    )
    changes = status_history(uow=container.uow(), clock=container.clock, subject=contact)
    (to_red,) = [c for c in changes if c.colour_to == "red"]
    assert all(f"case {case_id}" in to_red.cause for case_id in cases)
    assert len([m for m in outbox(uow=container.uow()) if m.subject == contact]) == 1
    assert current_status(uow=container.uow(), clock=container.clock, subject=stranger).colour == (
        "green"
    )


def test_presences_uploaded_late_are_traced_by_the_rescan(container: Container) -> None:
    """Scans uploaded after tracing are found by a rescan, until the policy's 72 hours end."""
    who = officials(container)
    case, late = resident(container, 1), resident(container, 2)
    now = container.clock.now()
    stay(container, case, "gym", now - hours(30), now - hours(29))
    case_id = report(container, who["wang"], case, sampled_at=now - hours(3))
    confirm(container, who["li"], case_id)
    assert work(container).jobs_done == 1
    stay(container, late, "gym", now - hours(30), now - hours(29))  # uploaded only now
    assert current_status(uow=container.uow(), clock=container.clock, subject=late).colour == (
        "green"
    )
    container.clock.advance(timedelta(minutes=15))  # type: ignore[attr-defined]
    assert work(container).jobs_done == 1
    assert current_status(uow=container.uow(), clock=container.clock, subject=late).colour == "red"
    container.clock.advance(hours(72))  # type: ignore[attr-defined]
    assert work(container).jobs_done == 1  # the last rescan, past the horizon: none queued
    container.clock.advance(hours(1))  # type: ignore[attr-defined]
    assert work(container).jobs_done == 0


class Killed(BaseException):
    """The process dying mid-batch: nothing in the worker catches it, nothing is committed."""


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed mid-batch keeps nothing; after the lease another traces both cases once."""
    who = officials(container)
    first, second, contact = (resident(container, i) for i in (1, 2, 3))
    now = container.clock.now()
    for case, place in ((first, "cafe-a"), (second, "cafe-b")):
        stay(container, case, place, now - hours(30), now - hours(29))
        stay(container, contact, place, now - hours(30), now - hours(29))
    for subject in (first, second):
        confirm(container, who["li"], report(container, who["wang"], subject, sampled_at=now))
    real = derived.record_many

    def dies_after_writing(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise Killed

    monkeypatch.setattr(derived, "record_many", dies_after_writing)
    with pytest.raises(Killed):
        run_due(
            uow_factory=container.uow, clock=container.clock, kinds=container.job_kinds, worker="w1"
        )
    monkeypatch.setattr(derived, "record_many", real)
    with container.uow() as uow:
        assert uow.facts.for_subject(contact, kinds=[FactKind.EXPOSURE]) == []
        assert {j.status.value for j in uow.jobs.list()} == {"running"}
    assert work(container).jobs_done == 0  # the lease holds
    container.clock.advance(LEASE + timedelta(seconds=1))  # type: ignore[attr-defined]
    assert work(container).jobs_done == 2
    with container.uow() as uow:
        assert len(uow.facts.for_subject(contact, kinds=[FactKind.EXPOSURE])) == 2
    changes = status_history(uow=container.uow(), clock=container.clock, subject=contact)
    assert [c.colour_to for c in changes] == ["green", "red"]
