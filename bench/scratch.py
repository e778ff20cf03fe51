"""Scratch databases for the benchmarks, and the plain bulk load they fill them with.

A benchmark runs on a SQLite file in a temporary folder and on a PostgreSQL database created
for the run and dropped after it (on HEALTHCODE_BENCH_POSTGRES_URL, default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres). `raw_insert` is the fastest plain load
through the driver: the benchmarks' baselines and their city set-up, never the product's path.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from healthcode.db.facts import PresenceRow
from healthcode.db.migrate import upgrade
from healthcode.presence.repository.retention import SqlRetentionRepository

ADMIN_URL = os.environ.get(
    "HEALTHCODE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

Row = Sequence[Any]

# the presences table's columns in the order the benchmarks build their rows
PRESENCE_COLUMNS = (
    "id",
    "subject",
    "at",
    "recorded_at",
    "supersedes",
    "retracted",
    "place_id",
    "place_kind",
    "until",
    "source",
    "cell",
)
assert {c.name for c in PresenceRow.__table__.columns} == set(PRESENCE_COLUMNS)


@contextmanager
def sqlite_database(name: str) -> Iterator[str]:
    """The URL of a new SQLite file, deleted with its folder afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / name}"


@contextmanager
def postgres_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"hc_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def sqlite_time(value: datetime) -> str:
    """The text ``UTCDateTime`` stores on SQLite (``%Y-%m-%d %H:%M:%S.%f``, UTC)."""
    stored = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return stored if len(stored) == 26 else stored + ".000000"


def _copy_field(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return "\\\\x" + value.hex()
    return str(value)


def copy_text(rows: Sequence[Row]) -> str:
    """The rows as one COPY text buffer (the benchmarks' values are hex ids, fixed words,
    numbers, times and bytes: nothing to escape)."""
    return "".join("\t".join(_copy_field(v) for v in row) + "\n" for row in rows)


def raw_insert(engine: Engine, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
    """Insert the rows in one committed transaction, the fastest plain way through the
    driver: COPY on PostgreSQL, one executemany on SQLite; no checks, no conflict handling."""
    names = ", ".join(columns)
    with engine.begin() as conn:
        raw: Any = conn.connection.driver_connection
        if engine.dialect.name == "postgresql":
            buffer = copy_text(rows)
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                copy.write(buffer)
            return
        values = [
            tuple(sqlite_time(v) if isinstance(v, datetime) else v for v in row) for row in rows
        ]
        marks = ", ".join("?" * len(columns))
        raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)


def make_days(engine: Engine, first: date, days: int) -> None:
    """Migrate the database, and on PostgreSQL make the presences partitions of ``days`` UTC
    days from ``first`` (the worker makes today's and the week ahead in production; a bench's
    data is in the past)."""
    upgrade(engine)
    with Session(engine) as session:
        SqlRetentionRepository(session).create_day_partitions(first=first, days=days)
        session.commit()


def disk_per_row(engine: Engine, tables: Sequence[str]) -> dict[str, float]:
    """PostgreSQL: bytes on disk per row of each of ``tables`` (fixed names), after VACUUM
    ANALYZE: ``<table>_heap_bytes`` the table alone, ``<table>_total_bytes`` with its indexes
    (for sizing: docs/scaling.md). SQLite, or an empty table: nothing."""
    if engine.dialect.name != "postgresql":
        return {}
    found: dict[str, float] = {}
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM ANALYZE {', '.join(tables)}"))
        for table in tables:
            rows = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            heap, total = conn.execute(  # partitioned: the sum of its partitions
                text(
                    "SELECT coalesce(sum(pg_table_size(relid)), pg_table_size(:t)), "
                    "coalesce(sum(pg_total_relation_size(relid)), pg_total_relation_size(:t)) "
                    "FROM pg_partition_tree(:t)"
                ),
                {"t": table},
            ).one()
            if rows:
                found[f"{table}_heap_bytes"] = heap / rows
                found[f"{table}_total_bytes"] = total / rows
    return found


def disk_used(engine: Engine, table: str) -> tuple[int, int, int] | None:
    """PostgreSQL: bytes on disk of the whole database, of ``table`` (a fixed name; partitioned:
    the sum of its partitions) with its indexes, and of its rows alone. SQLite: nothing."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        database, total, heap = conn.execute(
            text(
                "SELECT pg_database_size(current_database()), "
                "coalesce(sum(pg_total_relation_size(relid)), 0), "
                "coalesce(sum(pg_table_size(relid)), 0) FROM pg_partition_tree(:t)"
            ),
            {"t": table},
        ).one()
    return int(database), int(total), int(heap)
