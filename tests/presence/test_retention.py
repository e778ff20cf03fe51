"""Data kept only as long as policy allows, on both databases: presences and check-ins past the
jurisdiction's retention window are deleted, newer ones and what tracing derived are kept,
finished jobs go after 30 days, and a worker purges once an hour."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from healthcode.container import Container
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.jobs.queue import JobKind, JobKinds, enqueue
from healthcode.kernel.facts import FactKind
from healthcode.presence.retention import purge
from healthcode.presence.tables import CheckinRow
from healthcode.worker import PassReport, Worker
from presence_helpers import WEST_LAKE, check_in_at, city, person
from tracing_helpers import hours, stay

DAY = timedelta(days=1)


def _presences(container: Container, subject: str) -> list[str]:
    with container.uow() as uow:
        return [
            f.place_id  # type: ignore[attr-defined]
            for f in uow.facts.for_subject(subject, kinds=[FactKind.PRESENCE])
        ]


def _count_checkins(container: Container) -> int:
    uow = container.uow()
    assert isinstance(uow, SqlUnitOfWork)
    with uow:
        return int(uow.session.scalar(select(func.count()).select_from(CheckinRow)) or 0)


def test_presences_and_checkins_past_retention_are_deleted(container: Container) -> None:
    """Stays and check-ins past retention are purged, the rest kept; a second purge finds none."""
    c = city(container)
    subject = person(container)
    start = container.clock.now()
    check_in_at(container, subject, c.restaurant.place_code, WEST_LAKE)  # 22 days before the purge
    now = start + 22 * DAY
    container.clock.set(now)  # type: ignore[attr-defined]
    stay(container, subject, "old-cafe", now - 23 * DAY, now - 22 * DAY)
    stay(container, subject, "recent-cafe", now - 21 * DAY, now - 20 * DAY)
    stay(container, subject, "long-stay", now - 30 * DAY, now - hours(1))
    check_in_at(container, subject, c.restaurant.place_code, WEST_LAKE)

    purged = purge(uow=container.uow(), clock=container.clock)

    assert (purged.presences, purged.checkins) == (2, 1)  # the old stay, the old check-in's
    remaining = _presences(container, subject)
    assert "old-cafe" not in remaining
    assert {"recent-cafe", "long-stay"} <= set(remaining)
    assert _count_checkins(container) == 1
    again = purge(uow=container.uow(), clock=container.clock)
    assert (again.presences, again.checkins, again.jobs) == (0, 0, 0)


def test_finished_jobs_go_after_thirty_days_pending_ones_stay(container: Container) -> None:
    """A job finished 31 days ago is deleted; one still pending is kept whatever its age."""
    kinds = JobKinds([JobKind(name="test_noop", run=lambda uow, clock, job: {})])
    with container.uow() as uow:
        enqueue(uow, container.clock, kind="test_noop", payload={}, dedup_key="done")
        uow.commit()
    Worker(uow_factory=container.uow, clock=container.clock, kinds=kinds).run_jobs(PassReport())
    with container.uow() as uow:
        enqueue(
            uow,
            container.clock,
            kind="test_noop",
            payload={},
            dedup_key="later",
            run_after=container.clock.now() + 40 * DAY,
        )
        uow.commit()
    container.clock.advance(31 * DAY)  # type: ignore[attr-defined]
    assert purge(uow=container.uow(), clock=container.clock).jobs == 1
    with container.uow() as uow:
        assert [j.dedup_key for j in uow.jobs.list()] == ["later"]


def test_a_worker_purges_on_its_first_pass_then_hourly(container: Container) -> None:
    """The first pass purges; the next within the hour does not; an hour later it does again."""
    worker = Worker(uow_factory=container.uow, clock=container.clock, kinds=container.job_kinds)
    assert worker.run_once().purged is not None
    container.clock.advance(timedelta(minutes=59))  # type: ignore[attr-defined]
    assert worker.run_once().purged is None
    container.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    assert worker.run_once().purged is not None
