"""The sunset's purge in SQL: every table that holds a person or where they were, emptied in
the order its foreign keys allow (``sunset.purge``)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import CursorResult, delete
from sqlalchemy.orm import Session

from healthcode.db.schema import metadata

# personal data with no foreign key to ``persons``: the people themselves, lookups of phones,
# texts to phones, logins and their throttles (officials log in again too), raw scan batches,
# channels' assertions about their users, and the jobs queued about people
ALSO_PERSONAL = frozenset(
    {
        "persons",
        "sign_up_codes",
        "outgoing_texts",
        "auth_sessions",
        "login_throttles",
        "seen_assertions",
        "scan_batches",
        "used_lookups",
        "jobs",
    }
)


def personal_tables() -> frozenset[str]:
    """Every table pointing at ``persons``, and ``ALSO_PERSONAL``."""
    pointing = {
        table.name
        for table in metadata().sorted_tables
        if any(fk.column.table.name == "persons" for fk in table.foreign_keys)
    }
    return frozenset(pointing | ALSO_PERSONAL)


class SqlSunsetRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def purge_personal_data(self) -> Mapping[str, int]:
        personal = personal_tables()
        deleted: dict[str, int] = {}
        for table in reversed(metadata().sorted_tables):
            if table.name in personal:
                result = self._session.execute(delete(table))
                deleted[table.name] = result.rowcount if isinstance(result, CursorResult) else 0
        self._session.flush()
        return deleted
