"""Acknowledged writes are durable and the SQLite write-ahead log stays bounded: pragmas,
PostgreSQL's synchronous_commit, and two uploaders writing scan batches through the real use
case."""

from __future__ import annotations

import os
import shutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from healthcode import bootstrap
from healthcode.container import Container
from healthcode.db.engine import build_engine
from healthcode.kernel.clock import FixedClock
from healthcode.presence.scans import upload_scans
from healthcode.settings import Settings
from presence_helpers import T0, city, device, person, scan

BATCHES_PER_UPLOADER = 20
SCANS_PER_BATCH = 500
LIMIT = 1_048_576


# each test here is about one engine: run it on that backend only (not run-then-skip on the other)
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@ON_SQLITE
def test_sqlite_connections_sync_every_commit_and_bound_their_log(
    container: Container, settings: Settings
) -> None:
    """Each SQLite connection runs synchronous=FULL, autocheckpoints, and limits its log."""
    with container.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
        limit = settings.sqlite_wal_limit_bytes
        assert conn.exec_driver_sql("PRAGMA journal_size_limit").scalar() == limit


@pytest.mark.postgres
@ON_POSTGRESQL
def test_postgresql_keeps_synchronous_commit_on(settings: Settings) -> None:
    """synchronous_commit is on, even on a database whose default turned it off."""
    engine = build_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
            name = conn.execute(text("SELECT current_database()")).scalar()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        engine.dispose()  # new connections get the database's default: off
        with engine.connect() as conn:
            assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
            conn.execute(text("SELECT 1"))
            conn.commit()
            assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
    finally:
        engine.dispose()


def _two_uploaders(settings: Settings, database: Path, wal_limit: int) -> int:
    """Peak size of the log seen after each of 2 x 20 batches of 500 scans, uploaded by two
    threads at once through ``upload_scans`` into ``database``."""
    built = bootstrap.build(
        settings.model_copy(
            update={"database_url": f"sqlite:///{database}", "sqlite_wal_limit_bytes": wal_limit}
        ),
        clock_factory=lambda: FixedClock(T0),
    )
    wal = Path(f"{database}-wal")
    sizes: list[int] = []
    failures: list[BaseException] = []
    try:
        restaurant = city(built).restaurant
        kits = [device(built, restaurant) for _ in range(2)]
        people = [person(built, seq) for seq in range(1, 6)]

        def uploader(number: int) -> None:
            try:
                for b in range(BATCHES_PER_UPLOADER):
                    first = (number * BATCHES_PER_UPLOADER + b) * SCANS_PER_BATCH
                    at = T0 - timedelta(hours=2) + timedelta(seconds=b)
                    scans = [
                        scan(first + i, people[i % 5], at + timedelta(milliseconds=i))
                        for i in range(SCANS_PER_BATCH)
                    ]
                    upload_scans(
                        uow=built.uow(),
                        clock=built.clock,
                        jurisdiction="330100",
                        batch=kits[number].batch(scans),
                    )
                    sizes.append(os.stat(wal).st_size)
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=uploader, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        built.close()
    assert failures == []
    assert len(sizes) == 2 * BATCHES_PER_UPLOADER
    return max(sizes)


@ON_SQLITE
def test_two_uploaders_keep_the_log_near_its_limit(
    settings: Settings, sqlite_template: Path, tmp_path: Path
) -> None:
    """Two threads uploading 20,000 scans keep the log within 2 MiB past a 1 MiB limit."""
    # without the guard (a limit of 1 TiB) the same work left 5 to 8.5 MB of log behind
    database = tmp_path / "two-uploaders.db"
    shutil.copyfile(sqlite_template, database)
    peak = _two_uploaders(settings, database, LIMIT)
    assert peak < LIMIT + 2 * 1_048_576


def test_only_a_scratch_sqlite_database_skips_the_sync(tmp_path: Path) -> None:
    """A scratch engine runs synchronous=OFF; the system's (the default) keeps FULL."""
    url = f"sqlite:///{tmp_path / 'scratch.db'}"
    for scratch, level in ((True, 0), (False, 2)):
        engine = build_engine(url, scratch=scratch)
        try:
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == level
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        finally:
            engine.dispose()
