"""Alembic environment: runs on the connection or URL that `migrate` hands it."""

from __future__ import annotations

import re
from typing import Any, Literal

import sqlalchemy as sa
from alembic import context
from sqlalchemy import Connection

from healthcode.db.engine import build_engine
from healthcode.db.schema import metadata
from healthcode.db.types import UTCDateTime

config = context.config
target_metadata = metadata()


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Render our column types as the plain SQLAlchemy types they store, so that migrations
    never import application code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _compare_type(
    _context: Any, _inspected: Any, _column: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    """UTCDateTime reads text on SQLite but is a timezone-aware DATETIME column everywhere:
    not a change to migrate."""
    if isinstance(metadata_type, UTCDateTime):
        return not isinstance(inspected_type, sa.DateTime)
    return None


# presences' day partitions (PostgreSQL, migration 0015) are made at run time, not described
# by the models: not tables for autogenerate to drop
_PARTITION = re.compile(r"presences_(p\d{8}|default)")


def _include_name(name: str | None, type_: str, _parents: Any) -> bool:
    return not (type_ == "table" and name is not None and _PARTITION.fullmatch(name))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=_compare_type,
        render_item=_render_item,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = build_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `healthcode init`")
run_migrations_online()
