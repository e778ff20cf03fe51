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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from healthcode.jobs.model import LEASE, MAX_ATTEMPTS, Job, JobStatus, retry_delay
from healthcode.kernel.clock import Clock
from healthcode.kernel.ids import new_id
from healthcode.kernel.uow import UnitOfWork

log = logging.getLogger(__name__)

JobHandler = Callable[[UnitOfWork, Clock, Job], Mapping[str, Any] | None]
BatchHandler = Callable[[UnitOfWork, Clock, Sequence[Job]], Sequence[Mapping[str, Any] | None]]


@dataclass(frozen=True, kw_only=True)
class JobKind:
    """A kind of background job: its handler, and optionally a batch handler that runs up to
    ``batch_size`` due jobs of the kind together in one transaction (it returns one result per
    job, and must give the same outcome as running them one by one; the single handler is used
    when a batch fails)."""

    name: str
    run: JobHandler
    run_batch: BatchHandler | None = None
    batch_size: int = 1

    def __post_init__(self) -> None:
        if self.run_batch is not None and self.batch_size < 2:
            raise ValueError("a batch holds at least two jobs")


class JobKinds:
    """The kinds of job a worker runs, by name. ``healthcode.bootstrap`` builds the table from
    what each feature offers."""

    def __init__(self, kinds: Iterable[JobKind]) -> None:
        table: dict[str, JobKind] = {}
        for kind in kinds:
            if kind.name in table:
                raise ValueError(f"two job kinds named {kind.name!r}")
            table[kind.name] = kind
        self._table: Mapping[str, JobKind] = MappingProxyType(table)

    def get(self, name: str) -> JobKind | None:
        return self._table.get(name)

    def names(self) -> list[str]:
        return sorted(self._table)


def worker_name() -> str:
    """A name for this worker: host, process and a random suffix (threads differ too)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{new_id()[:8]}"


def enqueue(
    uow: UnitOfWork,
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


@dataclass(frozen=True)
class JobOutcome:
    job: Job
    status: JobStatus  # done, pending (to retry), failed, or running (lost the lease)
    result: Mapping[str, Any] | None = None
    error: str = ""


def run_next(
    *,
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    kinds: JobKinds,
    worker: str,
    lease: timedelta = LEASE,
    max_attempts: int = MAX_ATTEMPTS,
) -> JobOutcome | None:
    """Claim and run one due job; None when none is due."""
    now = clock.now()
    with uow_factory() as uow:
        job = uow.jobs.claim(now=now, worker=worker, lease_until=now + lease)
        uow.commit()
    if job is None:
        return None
    return _run_one(uow_factory, clock, kinds.get(job.kind), job, worker, max_attempts)


def run_due(
    *,
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    kinds: JobKinds,
    worker: str,
    lease: timedelta = LEASE,
    max_attempts: int = MAX_ATTEMPTS,
) -> list[JobOutcome]:
    """Claim and run the oldest due job, with as many more due jobs of its kind as its batch
    handler takes; an empty list when none is due."""
    now = clock.now()
    with uow_factory() as uow:
        first = uow.jobs.claim(now=now, worker=worker, lease_until=now + lease)
        jobs = [] if first is None else [first]
        kind = None if first is None else kinds.get(first.kind)
        batch = None if kind is None or kind.run_batch is None else kind
        if first is not None and batch is not None:
            while len(jobs) < batch.batch_size:
                more = uow.jobs.claim(
                    now=now, worker=worker, lease_until=now + lease, kind=first.kind
                )
                if more is None:
                    break
                jobs.append(more)
        uow.commit()
    together = [job for job in jobs if job.attempts <= max_attempts]
    alone = [job for job in jobs if job.attempts > max_attempts]  # to be given up on
    outcomes = None
    if batch is not None and batch.run_batch is not None and len(together) >= 2:
        outcomes = _run_batch(uow_factory, clock, together, worker, batch.run_batch)
    if outcomes is None:  # no batch, or nothing of it was kept: each job on its own
        outcomes, alone = [], jobs
    return [
        *outcomes,
        *(_run_one(uow_factory, clock, kind, job, worker, max_attempts) for job in alone),
    ]


def _run_batch(
    uow_factory: Callable[[], UnitOfWork],
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
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    kind: JobKind | None,
    job: Job,
    worker: str,
    max_attempts: int,
) -> JobOutcome:
    handler = None if kind is None else kind.run
    if handler is None or job.attempts > max_attempts:
        error = (
            f"no handler for job kind {job.kind!r}"
            if handler is None
            else f"gave up after {job.attempts - 1} attempts: {job.last_error}"
        )
        _fail(uow_factory, clock, job, worker, error, retry=False)
        return JobOutcome(job, JobStatus.FAILED, error=error)
    try:
        with uow_factory() as uow:
            held = uow.jobs.lock(job.id, worker=worker)
            if held is None:  # the lease expired and another worker took it
                return JobOutcome(job, JobStatus.RUNNING, error="lease lost")
            result = handler(uow, clock, held)
            uow.jobs.finish(job.id, at=clock.now())
            uow.commit()
    except Exception as error:  # a job must never take the worker down with it
        log.exception("job %s (%s) failed", job.id, job.kind)
        message = f"{type(error).__name__}: {error}"
        retry = job.attempts < max_attempts
        _fail(uow_factory, clock, job, worker, message, retry=retry)
        return JobOutcome(job, JobStatus.PENDING if retry else JobStatus.FAILED, error=message)
    return JobOutcome(job, JobStatus.DONE, result=result)


def _fail(
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    job: Job,
    worker: str,
    error: str,
    *,
    retry: bool,
) -> None:
    now = clock.now()
    with uow_factory() as uow:
        uow.jobs.fail(
            job.id,
            worker=worker,
            error=error,
            retry_at=now + retry_delay(job.attempts) if retry else None,
            at=now,
        )
        uow.commit()


def job_counts(*, uow: UnitOfWork) -> Mapping[str, int]:
    with uow:
        return dict(uow.jobs.counts())


def list_jobs(*, uow: UnitOfWork, status: JobStatus | None = None, limit: int = 100) -> list[Job]:
    with uow:
        return uow.jobs.list(status=status, limit=limit)
