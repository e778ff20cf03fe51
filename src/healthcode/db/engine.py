"""Engines: SQLite in WAL mode with foreign keys on, or PostgreSQL through psycopg.

Durability: a use case's commit returns only once the transaction is on disk, so an
acknowledged batch of scans or pings survives a power cut. SQLite runs ``synchronous=FULL``
(the write-ahead log is synced at every commit; ``NORMAL`` would keep the last commits only
across a crash of the process, not of the machine). PostgreSQL keeps ``synchronous_commit``
on: a connection finding it ``off`` (a server or database default) turns it back on.

The SQLite write-ahead log stays bounded under concurrent writers: checkpoints run every
1,000 pages (``wal_autocheckpoint``) but cannot restart the log while another connection
reads, so with two uploaders it used to grow without end (1.7 GB in 15 seconds). Once a
connection returned to the pool finds the log past ``wal_limit`` bytes, it runs a blocking
``wal_checkpoint(TRUNCATE)`` (waiting for readers, at most the busy timeout) that copies it
into the database and empties it; ``journal_size_limit`` trims a log that was reset.

The database file is created 0600 (its folder 0700) before SQLite opens it, so its ``-wal``
and ``-shm`` files, which SQLite creates with the database's mode, are 0600 too; every new
connection takes the group's and others' permissions off the three files (a database made
before this, or copied in loose).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from healthcode.db.private_files import PRIVATE_FOLDER, create_private, make_private

log = logging.getLogger(__name__)

WAL_LIMIT = 64 * 1024 * 1024
"""Bytes of SQLite write-ahead log past which a connection checkpoints and truncates it."""
CHECKPOINT_ATTEMPTS = 3
"""A checkpoint finding another one running (an autocheckpoint) tries again, a little later."""


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def build_engine(url: str, *, wal_limit: int = WAL_LIMIT, scratch: bool = False) -> Engine:
    """An engine for ``url``; on SQLite, the write-ahead log is held near ``wal_limit`` bytes.
    Its errors and logs never show SQL parameters (``hide_parameters``): they hold free text
    and personal data. ``scratch``: a throwaway SQLite database (a simulated run's, deleted
    after it) whose commits are not synced to disk (``synchronous=OFF``: a power cut may lose
    it, which no one needs); the system's own database never is, nor is PostgreSQL."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        name = parsed.database or ":memory:"
        on_disk = None if name == ":memory:" else Path(name)
        if on_disk:
            on_disk.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas(wal_limit, durable=not scratch))
        if on_disk:
            event.listen(engine, "do_connect", _private_database(on_disk))
            event.listen(engine, "checkin", _wal_guard(f"{parsed.database}-wal", wal_limit))
        return engine
    engine = create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
    )
    event.listen(engine, "connect", _postgres_durable)
    return engine


def _private_database(path: Path) -> Any:
    """Before each connection opens the file: create it 0600 if missing, and take the group's
    and others' permissions off it and its logs."""

    def guard(_dialect: Any, _record: Any, _cargs: Any, _cparams: Any) -> None:
        create_private(path)
        for file in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
            try:
                make_private(file)
            except PermissionError:  # another user's file: opened as it is, said once per connect
                log.warning("cannot make %s private: not its owner", file)

    return guard


def _postgres_durable(dbapi_connection: Any, _record: Any) -> None:
    """Commit means on disk: ``synchronous_commit`` is never off (a stronger level is kept)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SHOW synchronous_commit")
    (level,) = cursor.fetchone()
    if level == "off":
        cursor.execute("SET synchronous_commit TO on")
    cursor.close()
    dbapi_connection.commit()  # SET is transactional: keep it past this first transaction


def _wal_guard(wal_path: str, limit: int) -> Any:
    def check(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection is None:  # invalidated: nothing to run the checkpoint on
            return
        try:
            size = os.stat(wal_path).st_size
        except OSError:
            return
        if size <= limit:
            return
        try:
            for attempt in range(CHECKPOINT_ATTEMPTS):
                if attempt:
                    time.sleep(0.01 * attempt)
                if not checkpoint_wal(dbapi_connection)[0]:
                    return
        except sqlite3.Error:  # the commit that came before stands; the next check retries
            log.warning("write-ahead log checkpoint failed", exc_info=True)

    return check


def checkpoint_wal(dbapi_connection: Any) -> tuple[int, int, int]:
    """Copy the whole SQLite write-ahead log into the database and truncate it to nothing,
    waiting for readers (at most the busy timeout): ``(busy, log pages, checkpointed pages)``,
    ``busy`` 1 when a reader outlasted the wait (the next check tries again)."""
    cursor = dbapi_connection.cursor()
    try:
        busy, pages, done = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        cursor.close()
    if busy and pages != -1:  # -1: another connection was checkpointing it at that moment
        log.warning("write-ahead log checkpoint kept waiting: %s of %s pages copied", done, pages)
    return int(busy), int(pages), int(done)


def _sqlite_pragmas(wal_limit: int, *, durable: bool = True) -> Any:
    def apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # each commit syncs the log: an acknowledged batch survives a power cut (not on a
        # scratch database, thrown away after its run)
        cursor.execute("PRAGMA synchronous=FULL" if durable else "PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA wal_autocheckpoint=1000")
        cursor.execute(f"PRAGMA journal_size_limit={int(wal_limit)}")
        _performance_pragmas(cursor)
        cursor.close()

    return apply


def _performance_pragmas(cursor: Any) -> None:
    # Tracing reads scattered index pages of a multi-gigabyte presence table: a 64 MiB page
    # cache and reads through a memory map (no read() call per page) keep them cheap.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.execute("PRAGMA temp_store=MEMORY")


def ping(engine: Engine) -> None:
    """Ask the database for ``SELECT 1``: raises (``SQLAlchemyError``) if it cannot answer."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def build_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
