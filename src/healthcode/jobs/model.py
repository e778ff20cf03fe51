"""Durable background jobs: what to do, and how far it got. Pure.

A job is claimed for a lease; its effects and its completion commit together, so a finished
job is never run again and a crashed one is claimed again once its lease expires. A failure is
retried after a growing delay (``Backoff``, per kind of job) and, after its kind's most attempts,
left ``failed`` for an operator. Tracing a case and delivering a webhook are both jobs: one
queue, one table, one back-off rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from healthcode.kernel.clock import Clock

MAX_ATTEMPTS: Final = 8
LEASE: Final = timedelta(minutes=5)


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, kw_only=True)
class Job:
    id: str
    kind: str
    payload: Mapping[str, Any]
    dedup_key: str
    run_after: datetime
    created_at: datetime
    status: JobStatus = JobStatus.PENDING
    attempts: int = 0
    locked_by: str | None = None
    locked_until: datetime | None = None
    last_error: str = ""
    finished_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class QueueState:
    """The queue as an operator watches it: how many jobs of each kind are in each status,
    since when the oldest due job of each kind has waited, and how long finished jobs (those
    still kept) took from being queued to being done."""

    counts: Mapping[tuple[str, str], int]
    """(kind, status) → number of jobs."""
    oldest_due: Mapping[str, datetime]
    """kind → when its oldest pending job became due (kinds with none due are absent)."""
    done: Mapping[str, tuple[int, float]]
    """kind → (jobs done, their seconds from queued to done, added up)."""


@dataclass(frozen=True)
class Backoff:
    """The wait after the ``attempts``-th failure: ``base``, 2×base, 4×base… at most ``cap``."""

    base: timedelta
    cap: timedelta

    def delay(self, attempts: int) -> timedelta:
        wait: timedelta = self.base * (2 ** max(0, attempts - 1))
        return min(wait, self.cap)


DEFAULT_BACKOFF: Final = Backoff(base=timedelta(seconds=10), cap=timedelta(minutes=30))
"""10 s, 20 s, 40 s… at most 30 minutes."""


class JobFailed(Exception):
    """A failure a handler expected (a webhook answered 503): the job is retried after its
    back-off, its message recorded as the job's last error, no traceback logged."""


# a handler gets the unit of work its job runs in, typed by the handler's own feature
# and returns what it did, for the worker to report (nothing of it is stored)
JobHandler = Callable[[Any, Clock, Job], object]
BatchHandler = Callable[[Any, Clock, Sequence[Job]], Sequence[object]]


@dataclass(frozen=True, kw_only=True)
class JobKind:
    """A kind of background job: its handler, and optionally a batch handler that runs up to
    ``batch_size`` due jobs of the kind together in one transaction (it returns one result per
    job, and must give the same outcome as running them one by one; the single handler is used
    when a batch fails); how long to wait after a failure, and how many attempts it gets."""

    name: str
    run: JobHandler
    run_batch: BatchHandler | None = None
    batch_size: int = 1
    backoff: Backoff = DEFAULT_BACKOFF
    max_attempts: int = MAX_ATTEMPTS

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
