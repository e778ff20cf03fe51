"""Presences partitioned by day on PostgreSQL: the worker makes the days ahead, retention drops
a past day whole, ingestion stays idempotent across partitions; SQLite keeps one table."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from healthcode.container import Container
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.kernel.facts import FactKind
from healthcode.presence.retention import purge
from healthcode.presence.scans import upload_scans
from healthcode.worker import Worker
from presence_helpers import T0, city, device, person, scan
from tracing_helpers import hours, stay

DAY = timedelta(days=1)
ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def _partitions(container: Container) -> list[date]:
    with container.uow() as uow:
        return uow.retention.day_partitions()


def _make_days(container: Container, first: date, days: int) -> None:
    with container.uow() as uow:
        uow.retention.create_day_partitions(first=first, days=days)
        uow.commit()


def _rows_by_partition(container: Container) -> Counter[str]:
    uow = container.uow()
    assert isinstance(uow, SqlUnitOfWork)
    with uow:
        found = uow.session.scalars(text("SELECT tableoid::regclass::text FROM presences"))
        return Counter(found)


def _count(container: Container) -> int:
    uow = container.uow()
    assert isinstance(uow, SqlUnitOfWork)
    with uow:
        return int(uow.session.scalar(text("SELECT count(*) FROM presences")) or 0)


def _places(container: Container, subject: str) -> set[str]:
    with container.uow() as uow:
        facts = uow.facts.for_subject(subject, kinds=[FactKind.PRESENCE])
        return {f.place_id for f in facts}  # type: ignore[attr-defined]


@ON_POSTGRESQL
def test_a_worker_makes_the_partitions_of_today_and_the_week_ahead(container: Container) -> None:
    """The first pass makes today's partition and the next seven days'; a day later, one more."""
    worker = Worker(uow_factory=container.uow, clock=container.clock, kinds=container.job_kinds)
    week = [T0.date() + timedelta(days=n) for n in range(8)]
    assert worker.run_once().days_prepared == week
    assert set(week) <= set(_partitions(container))
    container.clock.advance(DAY)  # type: ignore[attr-defined]
    assert worker.run_once().days_prepared == [T0.date() + 8 * DAY]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_on_sqlite_the_worker_makes_no_partitions(container: Container) -> None:
    """SQLite keeps one unpartitioned presences table: a pass makes nothing and purges."""
    worker = Worker(uow_factory=container.uow, clock=container.clock, kinds=container.job_kinds)
    report = worker.run_once()
    assert report.days_prepared == [] and report.purged is not None
    assert _partitions(container) == []


def test_retention_drops_a_past_day_whole_and_keeps_the_rest(container: Container) -> None:
    """A past day goes whole (PostgreSQL) or row by row; a day with a live stay keeps it."""
    subject = person(container)
    _make_days(container, T0.date(), 4)
    stay(container, subject, "old-cafe", T0, T0 + hours(1))
    stay(container, subject, "old-shop", T0 + hours(2), T0 + hours(3))
    stay(container, subject, "long-stay", T0 + DAY, T0 + 30 * DAY)
    stay(container, subject, "short-visit", T0 + DAY + hours(1), T0 + DAY + hours(2))
    stay(container, subject, "recent-cafe", T0 + 2 * DAY, T0 + 2 * DAY + hours(1))
    container.clock.set(T0 + 23 * DAY)  # type: ignore[attr-defined]  # 21 days kept

    purged = purge(uow=container.uow(), clock=container.clock)

    partitioned = container.settings.database_url.startswith("postgresql")
    assert (purged.presences, purged.days_dropped) == (3, 1 if partitioned else 0)
    assert _places(container, subject) == {"long-stay", "recent-cafe"}
    if partitioned:
        days = _partitions(container)
        assert T0.date() not in days and {T0.date() + DAY, T0.date() + 2 * DAY} <= set(days)
    again = purge(uow=container.uow(), clock=container.clock)
    assert (again.presences, again.days_dropped) == (0, 0)


def _upload(container: Container, body: dict[str, object]) -> tuple[int, int]:
    receipt = upload_scans(
        uow=container.uow(), clock=container.clock, jurisdiction="330100", batch=body
    )
    return receipt.stored, receipt.duplicates


def test_a_batch_over_several_days_sent_again_is_stored_once(container: Container) -> None:
    """Re-sent scans over several day partitions and the default one are all refused."""
    c = city(container)
    kit = device(container, c.restaurant)
    a = person(container)
    _make_days(container, T0.date() - 2 * DAY, 2)  # not T0's day: its scans go to the default
    times = [T0 - 2 * DAY, T0 - DAY, T0 - DAY + hours(1), T0 - hours(0.5)]
    body = kit.batch([scan(n, a, at) for n, at in enumerate(times, start=1)])
    assert _upload(container, body) == (4, 0)
    assert _upload(container, body) == (0, 4)
    overlap = kit.batch([scan(2, a, T0 - DAY), scan(5, a, T0 - hours(0.25))])
    assert _upload(container, overlap) == (1, 1)
    if container.settings.database_url.startswith("postgresql"):
        assert _rows_by_partition(container) == {
            "presences_p20260227": 1,
            "presences_p20260228": 2,
            "presences_default": 2,
        }
        _make_days(container, T0.date(), 1)
        assert _rows_by_partition(container) == {
            "presences_p20260227": 1,
            "presences_p20260228": 2,
            "presences_p20260301": 2,
        }
    assert _upload(container, body) == (0, 4)
    assert _upload(container, overlap) == (0, 2)
    assert _count(container) == 5


@ON_POSTGRESQL
def test_a_partition_is_not_made_while_a_long_read_holds_the_table(container: Container) -> None:
    """Behind a long read the worker gives up on a day after 2 s, then makes it once it ends."""
    day = T0.date() + 30 * DAY
    with container.engine.connect() as reader:
        reader.execute(text("SELECT count(*) FROM presences"))  # holds its lock till the end
        with container.uow() as uow:
            assert uow.retention.create_day_partitions(first=day, days=1) == 0
            uow.commit()
        reader.rollback()
    assert day not in _partitions(container)
    _make_days(container, day, 1)
    assert day in _partitions(container)
