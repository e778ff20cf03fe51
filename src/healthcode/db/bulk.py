"""Many rows in one go, straight through the driver, inside the session's transaction.

Tracing one case writes thousands of rows (exposures, their evidence, status changes, cached
statuses, notifications) and reads the facts of hundreds of people. Through SQLAlchemy's
executemany each value of each row is processed and sent on its own, which is most of the cost;
here a column's bind processor is looked up once, PostgreSQL receives rows by COPY and SQLite by
one ``executemany``. Key lookups bind one array on PostgreSQL (one statement text, whatever the
number of keys, so the driver's statement cache holds) and chunks of ``IN`` lists on SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, ColumnElement, String, Table, any_, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute, Session

_IN_CHUNK = 900  # below SQLite's default limit of bound parameters


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def key_filters(
    session: Session, column: ColumnElement[Any] | InstrumentedAttribute[Any], keys: Iterable[str]
) -> Iterator[ColumnElement[bool]]:
    """Conditions that together select the rows whose ``column`` is one of ``keys``: one
    ``= ANY(array)`` on PostgreSQL, ``IN`` chunks on SQLite. Run one statement per condition."""
    items = sorted(set(keys))
    if not items:
        return
    if _postgresql(session):
        yield column == any_(bindparam(None, items, type_=ARRAY(String)))
        return
    for chunk in chunks(items):
        yield column.in_(chunk)


def chunks(keys: Iterable[str]) -> Iterator[list[str]]:
    """The distinct keys, sorted, in lists small enough to bind on SQLite."""
    items = sorted(set(keys))
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


def _converter(session: Session, column: ColumnElement[Any]) -> Callable[[Any], Any] | None:
    if isinstance(column.type, JSON) and _postgresql(session):
        # psycopg's dialect hands dicts to the driver wrapped at execution; COPY takes text
        return json.dumps
    return column.type.bind_processor(session.get_bind().dialect)


def _converters(
    session: Session, table: Table, names: Sequence[str]
) -> list[Callable[[Any], Any] | None]:
    return [_converter(session, table.c[name]) for name in names]


def _tuples(
    session: Session, table: Table, names: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> list[tuple[Any, ...]]:
    converters = _converters(session, table, names)
    pairs = list(zip(names, converters, strict=True))
    return [
        tuple(v if (v := row[n]) is None or c is None else c(v) for n, c in pairs) for row in rows
    ]


def _raw(session: Session) -> Any:
    return session.connection().connection.driver_connection


def _copy(cursor: Any, table_name: str, columns: str, values: Iterable[tuple[Any, ...]]) -> None:
    with cursor.copy(f"COPY {table_name} ({columns}) FROM STDIN") as copy:
        for value in values:
            copy.write_row(value)


def insert_many(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (each with the same keys, the columns to fill) in the session's
    transaction. Conflicts are errors, as with a plain INSERT."""
    if not rows:
        return
    names = list(rows[0])
    values = _tuples(session, table, names, rows)
    columns = ", ".join(names)
    if _postgresql(session):
        with _raw(session).cursor() as cursor:
            _copy(cursor, table.name, columns, values)
        return
    marks = ", ".join("?" * len(names))
    _raw(session).executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", values)


def insert_new(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert those of ``rows`` that clash with no unique key of ``table`` (the others are left
    as they are), in the session's transaction; how many were inserted."""
    if not rows:
        return 0
    names = list(rows[0])
    values = _tuples(session, table, names, rows)
    columns = ", ".join(names)
    raw = _raw(session)
    if _postgresql(session):
        staging = f"_incoming_{table.name}"
        with raw.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} "
                f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
            )
            _copy(cursor, staging, columns, values)
            cursor.execute(
                f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {staging} "
                "ON CONFLICT DO NOTHING"
            )
            inserted: int = cursor.rowcount
            cursor.execute(f"DELETE FROM {staging}")
        return inserted
    marks = ", ".join("?" * len(names))
    before: int = raw.total_changes
    raw.executemany(
        f"INSERT INTO {table.name} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING", values
    )
    changed: int = raw.total_changes - before
    return changed


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
        staging = f"_staging_{table.name}"
        with raw.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} "
                f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
            )
            _copy(cursor, staging, columns, values)
            cursor.execute(
                # in key order, as every writer does: two transactions locking the same rows
                # in the same order wait for each other rather than deadlock
                f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {staging} "
                f"ORDER BY {key} ON CONFLICT ({key}) DO UPDATE SET {updates}"
            )
            cursor.execute(f"DELETE FROM {staging}")
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
