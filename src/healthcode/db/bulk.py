"""Many rows in one go, straight through the driver, inside the session's transaction: the one
way every repository writes thousands of rows (scans, location stays, exposures, status changes,
cached statuses, queued jobs) and looks many keys up.

Through SQLAlchemy's executemany each value of each row is processed and sent on its own, which
is most of the cost. Here each column's conversion is worked out once per call (and a time a
batch repeats, such as a scan's ``at`` and ``until``, is formatted once), PostgreSQL receives
rows by COPY (binary when every column has a binary form) and SQLite by one ``executemany``.
Key lookups bind one array on PostgreSQL (one statement text, whatever the number of keys, so
the driver's statement cache holds) and, beyond a few hundred keys, one JSON array on SQLite.

SQL text is built here from table and column names of our own metadata, never from values:
values always travel as parameters or COPY data (hence the module's ``S608`` exemption).
"""

from __future__ import annotations

import json
import operator
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import psycopg
from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    LargeBinary,
    String,
    Table,
    any_,
    bindparam,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session

from healthcode.db.types import UTCDateTime

_IN_CHUNK = 900  # below SQLite's default limit of bound parameters

Converter = Callable[[Any], Any]


class MissingReference(Exception):
    """A row names a key another table does not hold (a foreign key). On SQLite the rows before
    it may be stored already (a savepoint to take them back cost a tenth of the ingestion
    rate), so the caller refuses the whole call and does not commit."""


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def key_filters(
    session: Session, column: ColumnElement[Any] | InstrumentedAttribute[Any], keys: Iterable[str]
) -> Iterator[ColumnElement[bool]]:
    """Conditions that together select the rows whose ``column`` is one of ``keys``: one
    ``= ANY(array)`` on PostgreSQL; on SQLite an ``IN`` list for a few keys, and for more one
    ``IN`` over a JSON array bound as one parameter (``json_each``: a busy venue's 50,000 close
    contacts in one statement rather than 56, about a third faster). Run one statement per
    condition."""
    items = sorted(set(keys))
    if not items:
        return
    if _postgresql(session):
        yield column == any_(bindparam(None, items, type_=ARRAY(String)))
    elif len(items) <= _IN_CHUNK:
        yield column.in_(items)
    else:
        array = bindparam(None, json.dumps(items), type_=String)
        yield column.in_(select(func.json_each(array).table_valued("value").c.value))


def _converter(session: Session, column: ColumnElement[Any]) -> Converter | None:
    postgres = _postgresql(session)
    if isinstance(column.type, JSON) and postgres:
        # psycopg's dialect hands dicts to the driver wrapped at execution; COPY takes text
        return json.dumps
    if isinstance(column.type, UTCDateTime) and postgres:
        return None  # aware datetimes go to timestamptz as they are
    return column.type.bind_processor(session.get_bind().dialect)


def _tuples(
    session: Session, table: Table, names: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> list[tuple[Any, ...]]:
    """The rows' values in column order, in the form the driver takes."""
    pick = operator.itemgetter(*names)
    picked = [pick(row) for row in rows] if len(names) > 1 else [(pick(row),) for row in rows]
    converters = [(i, c) for i, n in enumerate(names) if (c := _converter(session, table.c[n]))]
    if not converters:
        return picked
    # column by column: a batch repeats its values (a scan's times, a flag), each converted once
    columns: list[Sequence[Any]] = list(zip(*picked, strict=True))
    for i, convert in converters:
        columns[i] = _converted(columns[i], convert)
    return list(zip(*columns, strict=True))


def _converted(values: Sequence[Any], convert: Converter) -> list[Any]:
    try:
        once = {v: None if v is None else convert(v) for v in set(values)}
    except TypeError:  # unhashable values (JSON documents): each converted on its own
        return [None if v is None else convert(v) for v in values]
    return list(map(once.__getitem__, values))


# PostgreSQL's binary COPY form of our column types; a table with another type is copied as text
_BINARY: tuple[tuple[type, str], ...] = (
    (UTCDateTime, "timestamptz"),
    (Boolean, "bool"),
    (String, "varchar"),
    (LargeBinary, "bytea"),
)


def _binary_types(table: Table, names: Sequence[str]) -> list[str] | None:
    types: list[str] = []
    for name in names:
        column_type = table.c[name].type
        found = next((pg for kind, pg in _BINARY if isinstance(column_type, kind)), None)
        if found is None:
            return None
        types.append(found)
    return types


def _raw(session: Session) -> Any:
    return session.connection().connection.driver_connection


def _copy(
    cursor: Any,
    table_name: str,
    names: Sequence[str],
    values: Iterable[tuple[Any, ...]],
    types: Sequence[str] | None,
) -> None:
    columns = ", ".join(names)
    form = " (FORMAT BINARY)" if types is not None else ""
    with cursor.copy(f"COPY {table_name} ({columns}) FROM STDIN{form}") as copy:
        if types is not None:
            copy.set_types(list(types))
        write = copy.write_row
        for value in values:
            write(value)


def _staging(cursor: Any, table: Table) -> str:
    """A temporary table like ``table``, emptied at commit, for rows to merge from."""
    name = f"_incoming_{table.name}"
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} "
        f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    cursor.execute(f"DELETE FROM {name}")
    return name


def insert_many(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (each with the same keys, the columns to fill) in the session's
    transaction. Conflicts are errors, as with a plain INSERT."""
    if not rows:
        return
    names = list(rows[0])
    values = _tuples(session, table, names, rows)
    if _postgresql(session):
        with _raw(session).cursor() as cursor:
            _copy(cursor, table.name, names, values, _binary_types(table, names))
        return
    marks = ", ".join("?" * len(names))
    _raw(session).executemany(
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})",
        values,
    )


def insert_new(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert those of ``rows`` that clash with no unique key of ``table`` (the others are left
    as they are) in the session's transaction; how many were new. ``MissingReference`` when a
    row names a key another table does not hold (the transaction must then not commit).

    PostgreSQL: COPY straight into the table inside a savepoint, the common case (rows never
    seen) in three round trips; when a row is held already the savepoint is rolled back and the
    rows merge from a temporary table with ON CONFLICT DO NOTHING. SQLite: one executemany of
    INSERT … ON CONFLICT DO NOTHING, new rows counted by the change counter."""
    if not rows:
        return 0
    names = list(rows[0])
    values = _tuples(session, table, names, rows)
    if _postgresql(session):
        return _insert_new_postgresql(_raw(session), table, names, values)
    raw = _raw(session)
    marks = ", ".join("?" * len(names))
    before: int = raw.total_changes
    cursor = raw.cursor()
    try:
        cursor.executemany(
            f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks}) "
            "ON CONFLICT DO NOTHING",
            values,
        )
    except sqlite3.IntegrityError as error:
        if "FOREIGN KEY" not in str(error):
            raise
        raise MissingReference(str(error)) from None
    finally:
        cursor.close()
    inserted: int = raw.total_changes - before
    return inserted


def _insert_new_postgresql(
    raw: Any, table: Table, names: Sequence[str], values: Sequence[tuple[Any, ...]]
) -> int:
    types = _binary_types(table, names)
    with raw.cursor() as cursor:
        cursor.execute("SAVEPOINT bulk_insert")
        try:
            _copy(cursor, table.name, names, values, types)
        except psycopg.errors.UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT bulk_insert")
        except psycopg.errors.ForeignKeyViolation as error:
            cursor.execute("ROLLBACK TO SAVEPOINT bulk_insert")
            raise MissingReference(str(error)) from None
        else:
            cursor.execute("RELEASE SAVEPOINT bulk_insert")
            return len(values)
        staging = _staging(cursor, table)
        _copy(cursor, staging, names, values, types)
        columns = ", ".join(names)
        try:
            cursor.execute(
                f"INSERT INTO {table.name} ({columns}) SELECT {columns} "
                f"FROM {staging} ON CONFLICT DO NOTHING"
            )
        except psycopg.errors.ForeignKeyViolation as error:
            cursor.execute("ROLLBACK TO SAVEPOINT bulk_insert")
            raise MissingReference(str(error)) from None
        inserted: int = cursor.rowcount
        cursor.execute("RELEASE SAVEPOINT bulk_insert")
    return inserted


def upsert_many(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], *, key: str
) -> None:
    """Insert ``rows``, replacing the other columns of rows whose ``key`` exists already."""
    if not rows:
        return
    names = list(rows[0])
    values = _tuples(session, table, names, rows)
    columns = ", ".join(names)
    updates = ", ".join(f"{n} = excluded.{n}" for n in names if n != key)
    raw = _raw(session)
    if _postgresql(session):
        with raw.cursor() as cursor:
            staging = _staging(cursor, table)
            _copy(cursor, staging, names, values, _binary_types(table, names))
            cursor.execute(
                # in key order, as every writer does: two transactions locking the same rows
                # in the same order wait for each other rather than deadlock
                f"INSERT INTO {table.name} ({columns}) SELECT {columns} "
                f"FROM {staging} ORDER BY {key} ON CONFLICT ({key}) DO UPDATE SET {updates}"
            )
        return
    marks = ", ".join("?" * len(names))
    raw.executemany(
        f"INSERT INTO {table.name} ({columns}) VALUES ({marks}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}",
        values,
    )


def next_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` new values for the table's integer ``id``, to insert rows with.

    PostgreSQL draws them from the column's sequence. SQLite continues after the largest id;
    the caller must already be writing in this transaction (SQLite lets one writer at a time),
    so nobody else can take them."""
    if count <= 0:
        return []
    raw = _raw(session)
    if _postgresql(session):
        with raw.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                (table.name, count),
            )
            return [int(row[0]) for row in cursor.fetchall()]
    largest = raw.execute(f"SELECT coalesce(max(id), 0) FROM {table.name}").fetchone()[0]
    return list(range(int(largest) + 1, int(largest) + 1 + count))


def insert_if_absent(session: Session, model: type[Any], values: dict[str, Any]) -> bool:
    """Insert one row unless it clashes with a unique key; True if it was inserted."""
    table: Table = model.__table__
    insert = postgresql.insert if _postgresql(session) else sqlite.insert
    key = next(iter(table.primary_key.columns))
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(statement).first() is not None


def insert_each_if_absent(
    session: Session, model: type[Any], rows: Sequence[Mapping[str, Any]]
) -> set[Any]:
    """``insert_if_absent`` of many rows in one executemany: the primary keys of those
    inserted (a row clashing with a unique key, held or earlier in ``rows``, is not)."""
    table: Table = model.__table__
    insert = postgresql.insert if _postgresql(session) else sqlite.insert
    key = next(iter(table.primary_key.columns))
    if not rows:
        return set()
    # one statement text whatever the number of rows (SQLAlchemy's "insertmanyvalues" batches
    # the rows into multi-row INSERTs): compiled once, cached after
    statement = insert(table).on_conflict_do_nothing().returning(key)
    return set(session.scalars(statement, [dict(r) for r in rows]))
