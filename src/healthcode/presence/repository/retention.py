"""Deleting what policy no longer lets us keep: presences and check-ins past the retention
window of their people's jurisdiction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from healthcode.db.facts import PresenceRow
from healthcode.identity.tables import PersonRow
from healthcode.presence.tables import CheckinRow, PurgeRow, UsedLookupRow


def _count(result: object) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0


class SqlRetentionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def jurisdictions(self) -> list[str]:
        rows = self._session.scalars(select(PersonRow.jurisdiction).distinct())
        return sorted(rows)

    def delete_presences(self, *, jurisdiction: str, ended_before: datetime) -> int:
        people = select(PersonRow.subject).where(PersonRow.jurisdiction == jurisdiction)
        return _count(
            self._session.execute(
                delete(PresenceRow)
                .where(PresenceRow.until < ended_before, PresenceRow.subject.in_(people))
                .execution_options(synchronize_session=False)
            )
        )

    def delete_checkins(self, *, jurisdiction: str, before: datetime) -> int:
        return _count(
            self._session.execute(
                delete(CheckinRow)
                .where(CheckinRow.jurisdiction == jurisdiction, CheckinRow.at < before)
                .execution_options(synchronize_session=False)
            )
        )

    def delete_used_lookups(self, *, expired_before: datetime) -> int:
        return _count(
            self._session.execute(
                delete(UsedLookupRow)
                .where(UsedLookupRow.expires_at < expired_before)
                .execution_options(synchronize_session=False)
            )
        )

    def record_purge(self, *, at: datetime, counts: Mapping[str, int]) -> None:
        self._session.add_all(
            PurgeRow(at=at, kind=kind, count=count) for kind, count in counts.items() if count
        )
        self._session.flush()
