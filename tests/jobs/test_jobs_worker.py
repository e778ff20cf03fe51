"""Durable jobs on both databases: a worker killed mid-job loses and duplicates nothing, a
finished job never runs again, failures are retried then parked, and several workers never run
one job twice."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from healthcode.bootstrap import JOB_KINDS
from healthcode.container import Container
from healthcode.jobs.model import LEASE, MAX_ATTEMPTS, Job, JobStatus
from healthcode.jobs.queue import JobKind, JobKinds, enqueue, run_due, run_next
from healthcode.kernel.clock import Clock
from healthcode.kernel.facts import FactKind, IdentityCheck
from healthcode.kernel.ids import new_id
from healthcode.kernel.uow import UnitOfWork
from healthcode.notifications.delivery import outbox
from healthcode.status.assessment import current_status
from healthcode.tracing import derive as derived
from identity_helpers import add_test_channel, bind_to_channel
from tracing_helpers import confirm, hours, officials, report, resident, stay, work


class Killed(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the worker catches it and
    the open transaction is never committed."""


def _mark(uow: UnitOfWork, clock: Clock, job: Job) -> dict[str, Any]:
    """A test job: records one fact for the subject in its payload (counted afterwards)."""
    uow.facts.add(
        IdentityCheck(
            id=new_id(),
            subject=str(job.payload["subject"]),
            at=clock.now(),
            recorded_at=clock.now(),
            channel="test",
        )
    )
    return {}


def _boom(_uow: UnitOfWork, _clock: Clock, _job: Job) -> dict[str, Any]:
    raise RuntimeError("the lab system is down")


BATCHES: list[int] = []


def _mark_all(uow: UnitOfWork, clock: Clock, batch: Sequence[Job]) -> list[dict[str, Any]]:
    """A test batch: marks every job's subject, failing the whole batch if one says so."""
    BATCHES.append(len(batch))
    for job in batch:
        if job.payload.get("poison"):
            raise RuntimeError("a poisoned job")
        _mark(uow, clock, job)
    return [{} for _ in batch]


def _mark_or_fail(uow: UnitOfWork, clock: Clock, job: Job) -> dict[str, Any]:
    if job.payload.get("poison"):
        raise RuntimeError("a poisoned job")
    return _mark(uow, clock, job)


KINDS = JobKinds(
    [
        *JOB_KINDS,
        JobKind(name="test_mark", run=_mark),
        JobKind(name="test_boom", run=_boom),
        JobKind(name="test_batch", run=_mark_or_fail, run_batch=_mark_all, batch_size=4),
    ]
)
"""The system's job kinds and this module's own."""


@pytest.fixture(autouse=True)
def _fresh_batches() -> None:
    BATCHES.clear()


def _queue(container: Container, kind: str, key: str, **payload: object) -> None:
    with container.uow() as uow:
        assert enqueue(uow, container.clock, kind=kind, payload=payload, dedup_key=key)
        uow.commit()


def _marks(container: Container, subject: str) -> int:
    with container.uow() as uow:
        return len(uow.facts.for_subject(subject, kinds=[FactKind.IDENTITY_CHECK]))


def test_killed_mid_trace_then_restarted_loses_and_duplicates_nothing(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker killed mid-trace keeps nothing; after its lease another traces the case once."""
    who = officials(container)
    case, cc = resident(container, 1), resident(container, 2)
    kit = add_test_channel(container)
    bind_to_channel(container, kit, cc, "u2")
    now = container.clock.now()
    stay(container, case, "cafe", now - hours(30), now - hours(29))
    stay(container, cc, "cafe", now - hours(30), now - hours(29))
    case_id = report(container, who["wang"], case, sampled_at=now - hours(3))
    confirm(container, who["li"], case_id)

    real = derived.record_many

    def dies_after_writing(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)  # the contact's facts, status change and notification are written…
        raise Killed  # …and the process dies before the commit

    monkeypatch.setattr(derived, "record_many", dies_after_writing)
    with pytest.raises(Killed):
        run_next(uow_factory=container.uow, clock=container.clock, kinds=KINDS, worker="w1")
    monkeypatch.setattr(derived, "record_many", real)
    assert current_status(uow=container.uow(), clock=container.clock, subject=cc).colour == "green"
    with container.uow() as uow:
        (job,) = uow.jobs.list()
    assert job.status is JobStatus.RUNNING and job.locked_by == "w1"
    # another worker cannot take it while the lease holds…
    assert (
        run_next(uow_factory=container.uow, clock=container.clock, kinds=KINDS, worker="w2") is None
    )
    # …and takes it once the lease has expired
    container.clock.advance(LEASE + timedelta(seconds=1))  # type: ignore[attr-defined]
    outcome = run_next(uow_factory=container.uow, clock=container.clock, kinds=KINDS, worker="w2")
    assert outcome is not None and outcome.status is JobStatus.DONE
    assert outcome.job.attempts == 2
    assert current_status(uow=container.uow(), clock=container.clock, subject=cc).colour == "red"
    with container.uow() as uow:
        exposures = uow.facts.for_subject(cc, kinds=[FactKind.EXPOSURE])
    assert len(exposures) == 1
    assert len([m for m in outbox(uow=container.uow()) if m.subject == cc]) == 1
    # the first worker coming back finds nothing to do, and the job never runs again
    assert (
        run_next(uow_factory=container.uow, clock=container.clock, kinds=KINDS, worker="w1") is None
    )
    assert work(container, KINDS).jobs_done == 0


def test_lost_lease_commits_nothing(container: Container) -> None:
    """A worker whose lease expired and was taken over cannot complete the job."""
    subject = resident(container, 1)
    _queue(container, "test_mark", "m1", subject=subject)
    with container.uow() as uow:
        claimed = uow.jobs.claim(
            now=container.clock.now(),
            worker="slow",
            lease_until=container.clock.now() + LEASE,
            kinds=KINDS.names(),
        )
        uow.commit()
    assert claimed is not None
    container.clock.advance(LEASE + timedelta(seconds=1))  # type: ignore[attr-defined]
    assert (
        run_next(uow_factory=container.uow, clock=container.clock, kinds=KINDS, worker="fast")
        is not None
    )
    with container.uow() as uow:
        assert uow.jobs.lock(claimed.id, worker="slow") is None
    assert _marks(container, subject) == 1


def test_a_finished_job_is_never_run_again(container: Container) -> None:
    """Done is final; queueing the same work again (same dedup key) is refused."""
    subject = resident(container, 1)
    _queue(container, "test_mark", "once", subject=subject)
    assert work(container, KINDS).jobs_done == 1
    container.clock.advance(hours(1))  # type: ignore[attr-defined]
    assert work(container, KINDS).jobs_done == 0
    with container.uow() as uow:
        assert not enqueue(uow, container.clock, kind="test_mark", payload={}, dedup_key="once")
    assert _marks(container, subject) == 1


def test_failures_are_retried_with_back_off_then_parked(container: Container) -> None:
    """A failing job is retried after 10 s, 20 s…, then parked as failed with its error kept."""
    _queue(container, "test_boom", "boom")
    first = run_next(uow_factory=container.uow, clock=container.clock, kinds=KINDS, worker="w")
    assert first is not None and first.status is JobStatus.PENDING
    assert (
        run_next(uow_factory=container.uow, clock=container.clock, kinds=KINDS, worker="w") is None
    )
    container.clock.advance(timedelta(seconds=10))  # type: ignore[attr-defined]
    for _ in range(MAX_ATTEMPTS - 1):
        outcome = run_next(
            uow_factory=container.uow, clock=container.clock, kinds=KINDS, worker="w"
        )
        assert outcome is not None
        container.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    assert outcome.status is JobStatus.FAILED
    with container.uow() as uow:
        (job,) = uow.jobs.list()
    assert job.status is JobStatus.FAILED and "lab system is down" in job.last_error


def test_several_workers_never_run_one_job_twice(container: Container) -> None:
    """Three workers draining 30 jobs at once run each exactly once."""
    subject = resident(container, 1)
    for i in range(30):
        _queue(container, "test_mark", f"k{i}", subject=subject)
    done: list[int] = []

    def drain(name: str) -> None:
        count = 0
        while run_next(uow_factory=container.uow, clock=container.clock, kinds=KINDS, worker=name):
            count += 1
        done.append(count)

    threads = [threading.Thread(target=drain, args=(f"w{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(done) == 30
    assert _marks(container, subject) == 30
    with container.uow() as uow:
        assert uow.jobs.counts() == {"done": 30}


def test_due_jobs_of_a_batch_kind_run_together(container: Container) -> None:
    """Ten due jobs with a batch handler of four run as batches of 4, 4 and 2, each job once."""
    subject = resident(container, 1)
    for i in range(10):
        _queue(container, "test_batch", f"b{i}", subject=subject)
    assert work(container, KINDS).jobs_done == 10
    assert BATCHES == [4, 4, 2]
    assert _marks(container, subject) == 10
    with container.uow() as uow:
        assert uow.jobs.counts() == {"done": 10}


def test_a_failing_batch_is_rerun_job_by_job(container: Container) -> None:
    """A batch sunk by one bad job is rerun job by job: good ones done once, the bad one retried."""
    subject = resident(container, 1)
    for i in range(3):
        _queue(container, "test_batch", f"g{i}", subject=subject)
    _queue(container, "test_batch", "bad", subject=subject, poison=True)
    outcomes = run_due(uow_factory=container.uow, clock=container.clock, kinds=KINDS, worker="w")
    assert BATCHES == [4]
    assert sorted(o.status.value for o in outcomes) == ["done", "done", "done", "pending"]
    assert _marks(container, subject) == 3
    with container.uow() as uow:
        (bad,) = [j for j in uow.jobs.list() if j.dedup_key == "bad"]
    assert bad.attempts == 1 and "poisoned" in bad.last_error
