"""Durable jobs: queued inside the transaction that makes them necessary, run by a worker.

``enqueue`` runs in the caller's transaction (a confirmed case and its tracing job commit
together, or neither does). ``run_next`` claims one due job for a lease and commits the claim;
then, in a new transaction, it locks the job's row (still held by this worker), runs the job's
handler and marks the job done — the job's effects and its completion commit together, so a
finished job is never run again. A crash mid-job rolls its effects back; once the lease expires
another worker claims it again. On PostgreSQL claims use ``FOR UPDATE SKIP LOCKED``, so
several workers never take one job at once; on SQLite run a single worker.

Each kind of job (``JobKind``) names its handler; the bootstrap lists the kinds (``JobKinds``)
and hands the table to the workers. A kind may also have a batch handler (tracing: a hundred
cases confirmed together share most of their reads and writes). ``run_due`` then claims up to
that many due jobs of the kind and runs them in one transaction; if the batch fails, each job
is run again on its own, so a bad job fails alone and is retried or given up on its own.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from healthcode.jobs.model import (
    LEASE,
    BatchHandler,
    Job,
    JobFailed,
    JobKind,
    JobKinds,
    JobStatus,
    QueueState,
)
from healthcode.jobs.ports import JobsUnitOfWork
from healthcode.kernel.clock import Clock
from healthcode.kernel.ids import new_id

log = logging.getLogger(__name__)


def worker_name() -> str:
    """A name for this worker: host, process and a random suffix (threads differ too)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{new_id()[:8]}"


def queue_state(*, uow: JobsUnitOfWork, clock: Clock) -> QueueState:
    """The queue now, for an operator's dashboard (``/metrics``)."""
    with uow:
        return uow.jobs.state(now=clock.now())


def enqueue(
    uow: JobsUnitOfWork,
    clock: Clock,
    *,
    kind: str,
    payload: Mapping[str, Any],
    dedup_key: str,
    run_after: datetime | None = None,
) -> bool:
    """Queue a job inside the caller's transaction; a second job with the same ``dedup_key``
    is not queued (False)."""
    now = clock.now()
    return uow.jobs.enqueue(
        Job(
            id=new_id(),
            kind=kind,
            payload=dict(payload),
            dedup_key=dedup_key,
            run_after=run_after or now,
            created_at=now,
        )
    )


def enqueue_many(uow: JobsUnitOfWork, jobs: Sequence[Job]) -> int:
    """Queue many jobs inside the caller's transaction, in a few statements; those whose
    ``dedup_key`` is queued already are not (returns how many were)."""
    return uow.jobs.enqueue_many(jobs)


@dataclass(frozen=True)
class JobOutcome:
    job: Job
    status: JobStatus  # done, pending (to retry), failed, or running (lost the lease)
    result: object = None
    error: str = ""


def run_next(
    *,
    uow_factory: Callable[[], JobsUnitOfWork],
    clock: Clock,
    kinds: JobKinds,
    worker: str,
    lease: timedelta = LEASE,
    max_attempts: int | None = None,
) -> JobOutcome | None:
    """Claim and run one due job of ``kinds``; None when none is due. ``max_attempts`` (if
    given) overrides the kinds' own."""
    now = clock.now()
    with uow_factory() as uow:
        job = uow.jobs.claim(now=now, worker=worker, lease_until=now + lease, kinds=kinds.names())
        uow.commit()
    if job is None:
        return None
    return _run_one(uow_factory, clock, kinds.get(job.kind), job, worker, max_attempts)


def run_due(
    *,
    uow_factory: Callable[[], JobsUnitOfWork],
    clock: Clock,
    kinds: JobKinds,
    worker: str,
    lease: timedelta = LEASE,
    max_attempts: int | None = None,
) -> list[JobOutcome]:
    """Claim and run the oldest due job of ``kinds``, with as many more due jobs of its kind as
    its batch handler takes; an empty list when none is due. ``max_attempts`` (if given)
    overrides the kinds' own."""
    now = clock.now()
    with uow_factory() as uow:
        first = uow.jobs.claim(now=now, worker=worker, lease_until=now + lease, kinds=kinds.names())
        jobs = [] if first is None else [first]
        kind = None if first is None else kinds.get(first.kind)
        if first is not None and kind is not None and kind.run_batch is not None:
            while len(jobs) < kind.batch_size:
                more = uow.jobs.claim(
                    now=now, worker=worker, lease_until=now + lease, kinds=(first.kind,)
                )
                if more is None:
                    break
                jobs.append(more)
        uow.commit()
    if kind is None:
        return [_run_one(uow_factory, clock, kind, job, worker, max_attempts) for job in jobs]
    most = kind.max_attempts if max_attempts is None else max_attempts
    together = [job for job in jobs if job.attempts <= most]
    alone = [job for job in jobs if job.attempts > most]  # to be given up on
    outcomes = None
    if kind.run_batch is not None and len(together) >= 2:
        outcomes = _run_batch(uow_factory, clock, together, worker, kind.run_batch)
    if outcomes is None:  # no batch, or nothing of it was kept: each job on its own
        outcomes, alone = [], jobs
    return [
        *outcomes,
        *(_run_one(uow_factory, clock, kind, job, worker, max_attempts) for job in alone),
    ]


def _run_batch(
    uow_factory: Callable[[], JobsUnitOfWork],
    clock: Clock,
    jobs: Sequence[Job],
    worker: str,
    handler: BatchHandler,
) -> list[JobOutcome] | None:
    """Run claimed jobs together in one transaction; None if that failed (nothing of it was
    kept: the caller runs them one by one)."""
    try:
        with uow_factory() as uow:
            held = [h for job in jobs if (h := uow.jobs.lock(job.id, worker=worker)) is not None]
            results = list(handler(uow, clock, held)) if held else []
            if len(results) != len(held):
                raise RuntimeError(f"the batch handler returned {len(results)} results")
            at = clock.now()
            for job in held:
                uow.jobs.finish(job.id, at=at)
            uow.commit()
    except Exception:
        log.exception(
            "a batch of %d %s jobs failed: running them one by one", len(jobs), jobs[0].kind
        )
        return None
    done = {job.id: result for job, result in zip(held, results, strict=True)}
    return [
        JobOutcome(job, JobStatus.DONE, result=done[job.id])
        if job.id in done
        else JobOutcome(job, JobStatus.RUNNING, error="lease lost")
        for job in jobs
    ]


def _run_one(
    uow_factory: Callable[[], JobsUnitOfWork],
    clock: Clock,
    kind: JobKind | None,
    job: Job,
    worker: str,
    max_attempts: int | None,
) -> JobOutcome:
    if kind is None:
        error = f"no handler for job kind {job.kind!r}"
        _fail(uow_factory, clock, job, worker, error, retry_after=None)
        return JobOutcome(job, JobStatus.FAILED, error=error)
    most = kind.max_attempts if max_attempts is None else max_attempts
    if job.attempts > most:
        error = f"gave up after {job.attempts - 1} attempts: {job.last_error}"
        _fail(uow_factory, clock, job, worker, error, retry_after=None)
        return JobOutcome(job, JobStatus.FAILED, error=error)
    try:
        with uow_factory() as uow:
            held = uow.jobs.lock(job.id, worker=worker)
            if held is None:  # the lease expired and another worker took it
                return JobOutcome(job, JobStatus.RUNNING, error="lease lost")
            result = kind.run(uow, clock, held)
            uow.jobs.finish(job.id, at=clock.now())
            uow.commit()
    except Exception as error:  # a job must never take the worker down with it
        if isinstance(error, JobFailed):
            log.warning("job %s (%s) failed: %s", job.id, job.kind, error)
            message = str(error)
        else:
            log.exception("job %s (%s) failed", job.id, job.kind)
            message = f"{type(error).__name__}: {error}"
        retry = job.attempts < most
        wait = kind.backoff.delay(job.attempts) if retry else None
        _fail(uow_factory, clock, job, worker, message, retry_after=wait)
        return JobOutcome(job, JobStatus.PENDING if retry else JobStatus.FAILED, error=message)
    return JobOutcome(job, JobStatus.DONE, result=result)


def _fail(
    uow_factory: Callable[[], JobsUnitOfWork],
    clock: Clock,
    job: Job,
    worker: str,
    error: str,
    *,
    retry_after: timedelta | None,
) -> None:
    """Record a failed attempt: due again after ``retry_after``, or failed for good."""
    now = clock.now()
    with uow_factory() as uow:
        uow.jobs.fail(
            job.id,
            worker=worker,
            error=error,
            retry_at=None if retry_after is None else now + retry_after,
            at=now,
        )
        uow.commit()
