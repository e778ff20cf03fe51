"""Presences in bulk (scans, check-ins, rides, location stays) and the reads of location stays."""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from healthcode.db.base import Base
from healthcode.db.bulk import chunks, key_filters
from healthcode.db.fact_mapping import from_row
from healthcode.db.facts import PresenceRow
from healthcode.kernel.facts import FactKind, Presence
from healthcode.presence.model import (
    UnknownSubjects,
)

LOCATION_SOURCES = ("gps", "telecom")


class SqlPresenceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def insert_rows(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Bulk insert-if-absent straight through the database driver (no per-row SQLAlchemy
        parameter processing: at 1,000 rows a batch that is most of the cost), in the unit of
        work's transaction. SQLite: one ``executemany`` of INSERT … ON CONFLICT DO NOTHING, new
        rows counted by the change counter. PostgreSQL: a binary COPY in a savepoint, falling
        back to INSERT … SELECT … ON CONFLICT DO NOTHING from a temporary table when some rows
        are held already (see ``_copy_insert``)."""
        if not rows:
            return 0
        raw: Any = self._session.connection().connection.driver_connection
        if self._session.get_bind().dialect.name == "postgresql":
            return _copy_insert(raw, rows)
        try:
            return _sqlite_insert(raw, rows)
        except sqlite3.IntegrityError:  # a foreign key: name the people it is about
            known = self.known_subjects(row["subject"] for row in rows)
            unknown = {row["subject"] for row in rows} - known
            if not unknown:
                raise
            raise UnknownSubjects(unknown) from None

    def known_subjects(self, subjects: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(subjects))
        if not wanted:
            return set()
        raw: Any = self._session.connection().connection.driver_connection
        found: set[str] = set()
        if self._session.get_bind().dialect.name == "postgresql":
            with raw.cursor() as cursor:
                cursor.execute("SELECT subject FROM persons WHERE subject = ANY(%s)", (wanted,))
                found.update(r[0] for r in cursor.fetchall())
            return found
        cursor = raw.cursor()
        try:
            for chunk in chunks(wanted):
                marks = ",".join("?" * len(chunk))
                cursor.execute(f"SELECT subject FROM persons WHERE subject IN ({marks})", chunk)
                found.update(r[0] for r in cursor.fetchall())
        finally:
            cursor.close()
        return found

    def fact_ids(self, table: str, ids: Iterable[str]) -> set[str]:
        fact_table: Table = Base.metadata.tables[table]
        found: set[str] = set()
        for condition in key_filters(self._session, fact_table.c.id, ids):
            found.update(self._session.scalars(select(fact_table.c.id).where(condition)))
        return found

    def stays_of(self, subject: str, *, since: datetime) -> list[Presence]:
        rows = self._session.scalars(
            select(PresenceRow)
            .where(
                PresenceRow.subject == subject,
                PresenceRow.source.in_(LOCATION_SOURCES),
                PresenceRow.until >= since,
            )
            .order_by(PresenceRow.at, PresenceRow.id)
        )
        return [_presence(r) for r in rows]

    def last_stay_before(self, subject: str, at: datetime) -> Presence | None:
        row = self._session.scalars(
            select(PresenceRow)
            .where(
                PresenceRow.subject == subject,
                PresenceRow.source.in_(LOCATION_SOURCES),
                PresenceRow.at < at,
            )
            .order_by(PresenceRow.at.desc(), PresenceRow.id.desc())
            .limit(1)
        ).first()
        return None if row is None else _presence(row)


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


_COLUMN_LIST = ", ".join(PRESENCE_COLUMNS)


_values = operator.itemgetter(*PRESENCE_COLUMNS)  # a row mapping → a tuple in column order


# Binary COPY: each value is sent in PostgreSQL's own binary form (no text to format or escape
# in Python, none to parse on the server).
_COPY_TYPES = (
    "varchar",
    "varchar",
    "timestamptz",
    "timestamptz",
    "varchar",
    "bool",
    "varchar",
    "varchar",
    "timestamptz",
    "varchar",
    "varchar",
)


_SQLITE_INSERT = (
    f"INSERT INTO presences ({_COLUMN_LIST}) "
    f"VALUES ({', '.join('?' * len(PRESENCE_COLUMNS))}) ON CONFLICT (id) DO NOTHING"
)


def _sqlite_insert(raw: Any, rows: Sequence[Mapping[str, Any]]) -> int:
    """One ``executemany`` of INSERT … ON CONFLICT DO NOTHING with the values already in the
    form ``UTCDateTime`` stores on SQLite (``%Y-%m-%d %H:%M:%S.%f`` UTC text), so no per-row
    SQLAlchemy processing; each distinct time of the batch is formatted once (a scan's ``at``
    and ``until`` are the same, ``recorded_at`` is the same for the whole batch)."""
    times: dict[datetime, str] = {}

    def text(value: datetime) -> str:
        found = times.get(value)
        if found is None:
            found = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
            if len(found) == 19:
                found += ".000000"
            times[value] = found
        return found

    values = [
        (
            i,
            subject,
            text(at),
            text(recorded),
            sup,
            int(retracted),
            place,
            kind,
            text(until),
            src,
            cell,
        )
        for (i, subject, at, recorded, sup, retracted, place, kind, until, src, cell) in map(
            _values, rows
        )
    ]
    before = raw.total_changes
    cursor = raw.cursor()
    try:
        cursor.executemany(_SQLITE_INSERT, values)
    finally:
        cursor.close()
    changed: int = raw.total_changes - before
    return changed


def _copy(cursor: Any, table: str, values: Sequence[tuple[Any, ...]]) -> None:
    with cursor.copy(f"COPY {table} ({_COLUMN_LIST}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_COPY_TYPES)
        write = copy.write_row
        for value in values:
            write(value)


def _copy_insert(raw: Any, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert-if-absent on PostgreSQL. Common case (scans never seen): a binary COPY straight
    into ``presences`` inside a savepoint — three short round trips, no lookup first. If any
    row is held already (a batch sent again, a scan in two batches, or a concurrent upload of
    the same scans that won the race: a unique violation) the savepoint is rolled back and the
    rows go through a temporary table with INSERT … SELECT … ON CONFLICT DO NOTHING, whose row
    count is the new rows. A foreign-key violation names the unregistered subjects."""
    import psycopg

    values = list(map(_values, rows))
    with raw.cursor() as cursor:
        cursor.execute("SAVEPOINT presences_copy")
        try:
            _copy(cursor, "presences", values)
        except psycopg.errors.UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT presences_copy")
            return _merge_insert(cursor, values)
        except psycopg.errors.ForeignKeyViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT presences_copy")
            subjects = list({value[1] for value in values})
            cursor.execute("SELECT subject FROM persons WHERE subject = ANY(%s)", (subjects,))
            known = {r[0] for r in cursor.fetchall()}
            raise UnknownSubjects(set(subjects) - known) from None
        cursor.execute("RELEASE SAVEPOINT presences_copy")
    return len(values)


def _merge_insert(cursor: Any, values: Sequence[tuple[Any, ...]]) -> int:
    import psycopg

    cursor.execute(
        "CREATE TEMPORARY TABLE IF NOT EXISTS presences_incoming "
        "(LIKE presences INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    cursor.execute("DELETE FROM presences_incoming")  # left by an earlier call, if any
    _copy(cursor, "presences_incoming", values)
    cursor.execute("SAVEPOINT presences_merge")
    try:
        cursor.execute(
            f"INSERT INTO presences ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} "
            "FROM presences_incoming ON CONFLICT (id) DO NOTHING"
        )
    except psycopg.errors.ForeignKeyViolation:
        cursor.execute("ROLLBACK TO SAVEPOINT presences_merge")
        cursor.execute(
            "SELECT DISTINCT i.subject FROM presences_incoming i "
            "WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.subject = i.subject)"
        )
        raise UnknownSubjects({r[0] for r in cursor.fetchall()}) from None
    inserted: int = cursor.rowcount
    cursor.execute("RELEASE SAVEPOINT presences_merge")
    return inserted


def _presence(row: PresenceRow) -> Presence:
    fact = from_row(FactKind.PRESENCE, row)
    assert isinstance(fact, Presence)
    return fact
