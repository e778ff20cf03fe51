"""What the durable queue needs from storage; ``jobs.repository`` implements it."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from healthcode.jobs.model import Job, JobStatus, QueueState
from healthcode.kernel.uow import UnitOfWork


class JobRepository(Protocol):
    def enqueue(self, job: Job) -> bool:
        """Queue a job unless one with its dedup key exists; True if it was queued."""
        ...

    def enqueue_many(self, jobs: Sequence[Job]) -> int:
        """Queue each job unless one with its dedup key exists, in a few statements; how many
        were queued."""
        ...

    def claim(
        self, *, now: datetime, worker: str, lease_until: datetime, kinds: Collection[str]
    ) -> Job | None:
        """Take the oldest due job (pending and due, or running with an expired lease) of one of
        ``kinds`` for ``worker`` until ``lease_until``; None when nothing is due. Never hands
        one job to two workers at once (row locks with SKIP LOCKED on PostgreSQL)."""
        ...

    def lock(self, job_id: str, *, worker: str) -> Job | None:
        """Lock the job's row for this transaction if ``worker`` still holds its lease."""
        ...

    def finish(self, job_id: str, *, at: datetime) -> None: ...

    def fail(
        self, job_id: str, *, worker: str, error: str, retry_at: datetime | None, at: datetime
    ) -> None:
        """Record a failed attempt: due again at ``retry_at``, or failed for good if None."""
        ...

    def get(self, job_id: str) -> Job | None: ...

    def list(
        self, *, status: JobStatus | None = None, kind: str | None = None, limit: int = 100
    ) -> list[Job]: ...

    def counts(self) -> Mapping[str, int]:
        """How many jobs are in each status."""
        ...

    def delete_finished(self, *, before: datetime) -> int:
        """Delete jobs done or failed before the moment; how many."""
        ...

    def state(self, *, now: datetime) -> QueueState:
        """The queue's counts, oldest due job per kind and finished jobs' durations."""
        ...


class JobsUnitOfWork(UnitOfWork, Protocol):
    """What queueing and running jobs use."""

    @property
    def jobs(self) -> JobRepository: ...
