"""Insert-if-absent on both backends (PostgreSQL and SQLite share ON CONFLICT DO NOTHING)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_if_absent(session: Session, model: type[Any], values: dict[str, Any]) -> bool:
    """Insert one row unless it clashes with a unique key; True if it was inserted."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = session.execute(insert(model).values(**values).on_conflict_do_nothing())
    assert isinstance(result, CursorResult)
    return result.rowcount == 1
