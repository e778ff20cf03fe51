"""Durable jobs: queue once per dedup key; claim with row locks (SKIP LOCKED on PostgreSQL,
a compare-and-set update everywhere) so that no job is run by two workers at once."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, Table, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from healthcode.db.bulk import insert_if_absent, insert_new
from healthcode.jobs.model import Job, JobStatus, QueueState
from healthcode.jobs.tables import JobRow

_ERROR_LENGTH = 2_000


def _job(row: JobRow) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        payload=dict(row.payload),
        dedup_key=row.dedup_key,
        run_after=row.run_after,
        created_at=row.created_at,
        status=JobStatus(row.status),
        attempts=row.attempts,
        locked_by=row.locked_by,
        locked_until=row.locked_until,
        last_error=row.last_error,
        finished_at=row.finished_at,
    )


_JOBS: Table = JobRow.__table__  # type: ignore[assignment]


def _values(job: Job) -> dict[str, object]:
    return {
        "id": job.id,
        "kind": job.kind,
        "payload": dict(job.payload),
        "dedup_key": job.dedup_key,
        "status": job.status.value,
        "attempts": job.attempts,
        "run_after": job.run_after,
        "created_at": job.created_at,
        "locked_by": None,
        "locked_until": None,
        "last_error": "",
        "finished_at": None,
    }


def _due(now: datetime):  # type: ignore[no-untyped-def]
    return or_(
        and_(JobRow.status == JobStatus.PENDING.value, JobRow.run_after <= now),
        and_(JobRow.status == JobStatus.RUNNING.value, JobRow.locked_until <= now),
    )


class SqlJobRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def enqueue(self, job: Job) -> bool:
        return insert_if_absent(self._session, JobRow, _values(job))

    def enqueue_many(self, jobs: Sequence[Job]) -> int:
        return insert_new(self._session, _JOBS, [_values(job) for job in jobs])

    def claim(
        self, *, now: datetime, worker: str, lease_until: datetime, kinds: Collection[str]
    ) -> Job | None:
        if not kinds:
            return None
        due = and_(_due(now), JobRow.kind.in_(sorted(set(kinds))))
        candidate = self._session.scalars(
            select(JobRow.id)
            .where(due)
            .order_by(JobRow.run_after, JobRow.created_at, JobRow.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if candidate is None:
            return None
        # compare-and-set: only one claimant can move a due job to running for itself
        claimed = self._session.execute(
            update(JobRow)
            .where(JobRow.id == candidate, _due(now))
            .values(
                status=JobStatus.RUNNING.value,
                locked_by=worker,
                locked_until=lease_until,
                attempts=JobRow.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = self._session.get(JobRow, candidate, populate_existing=True)
        return None if row is None else _job(row)

    def lock(self, job_id: str, *, worker: str) -> Job | None:
        row = self._session.scalars(
            select(JobRow)
            .where(
                JobRow.id == job_id,
                JobRow.status == JobStatus.RUNNING.value,
                JobRow.locked_by == worker,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        return None if row is None else _job(row)

    def finish(self, job_id: str, *, at: datetime) -> None:
        self._session.execute(
            update(JobRow)
            .where(JobRow.id == job_id)
            .values(status=JobStatus.DONE.value, finished_at=at, locked_until=None)
            .execution_options(synchronize_session=False)
        )

    def fail(
        self, job_id: str, *, worker: str, error: str, retry_at: datetime | None, at: datetime
    ) -> None:
        values: dict[str, object] = {"last_error": error[:_ERROR_LENGTH], "locked_until": None}
        if retry_at is None:
            values.update(status=JobStatus.FAILED.value, finished_at=at)
        else:
            values.update(status=JobStatus.PENDING.value, run_after=retry_at)
        self._session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.locked_by == worker)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    def get(self, job_id: str) -> Job | None:
        row = self._session.get(JobRow, job_id, populate_existing=True)
        return None if row is None else _job(row)

    def list(
        self, *, status: JobStatus | None = None, kind: str | None = None, limit: int = 100
    ) -> list[Job]:
        query = select(JobRow)
        if status is not None:
            query = query.where(JobRow.status == status.value)
        if kind is not None:
            query = query.where(JobRow.kind == kind)
        rows = self._session.scalars(query.order_by(JobRow.created_at, JobRow.id).limit(limit))
        return [_job(r) for r in rows]

    def counts(self) -> Mapping[str, int]:
        rows = self._session.execute(select(JobRow.status, func.count()).group_by(JobRow.status))
        return {status: count for status, count in rows}

    def state(self, *, now: datetime) -> QueueState:
        counts = self._session.execute(
            select(JobRow.kind, JobRow.status, func.count()).group_by(JobRow.kind, JobRow.status)
        )
        oldest = self._session.execute(
            select(JobRow.kind, func.min(JobRow.run_after))
            .where(JobRow.status == JobStatus.PENDING.value, JobRow.run_after <= now)
            .group_by(JobRow.kind)
        )
        done = self._session.execute(
            select(JobRow.kind, func.count(), func.sum(self._seconds_to_done()))
            .where(JobRow.status == JobStatus.DONE.value)
            .group_by(JobRow.kind)
        )
        return QueueState(
            counts={(kind, status): n for kind, status, n in counts},
            oldest_due={kind: at for kind, at in oldest},
            done={kind: (n, float(total or 0.0)) for kind, n, total in done},
        )

    def _seconds_to_done(self) -> ColumnElement[Any]:
        if self._session.get_bind().dialect.name == "postgresql":
            return func.extract("epoch", JobRow.finished_at - JobRow.created_at)
        # SQLite keeps times as ISO text: julianday reads it, in days
        return (func.julianday(JobRow.finished_at) - func.julianday(JobRow.created_at)) * 86_400.0

    def delete_finished(self, *, before: datetime) -> int:
        finished = (JobStatus.DONE.value, JobStatus.FAILED.value)
        result = self._session.execute(
            delete(JobRow)
            .where(JobRow.status.in_(finished), JobRow.finished_at < before)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount if isinstance(result, CursorResult) else 0
