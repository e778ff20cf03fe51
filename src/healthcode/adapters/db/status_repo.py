"""The status cache and the status history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from healthcode.adapters.db.status import CurrentStatusRow, StatusChangeRow
from healthcode.domain.facts import Colour
from healthcode.domain.status import Status
from healthcode.services.ports import StatusChange
from healthcode.services.status_codec import decode, encode


class SqlStatusRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def current(self, subject: str) -> Status | None:
        row = self._session.get(CurrentStatusRow, subject)
        return None if row is None else decode(row.body)

    def save_current(self, status: Status) -> None:
        row = self._session.get(CurrentStatusRow, status.subject)
        if row is None:
            row = CurrentStatusRow(subject=status.subject)
            self._session.add(row)
        row.colour = status.colour.value
        row.assessed_at = status.assessed_at
        row.valid_until = status.valid_until
        row.policy_version = status.policy_version
        row.body = encode(status)
        self._session.flush()

    def add_change(self, change: StatusChange) -> StatusChange:
        row = StatusChangeRow(
            subject=change.subject,
            at=change.at,
            recorded_at=change.recorded_at,
            colour_from=None if change.colour_from is None else change.colour_from.value,
            colour_to=change.colour_to.value,
            cause=change.cause[:120],
            policy_version=change.status.policy_version,
            body=encode(change.status),
        )
        self._session.add(row)
        self._session.flush()
        return _change(row)

    def due(self, now: datetime, *, limit: int) -> list[str]:
        return list(
            self._session.scalars(
                select(CurrentStatusRow.subject)
                .where(CurrentStatusRow.valid_until <= now)
                .order_by(CurrentStatusRow.valid_until, CurrentStatusRow.subject)
                .limit(limit)
            )
        )

    def changes(self, subject: str) -> list[StatusChange]:
        rows = self._session.scalars(
            select(StatusChangeRow)
            .where(StatusChangeRow.subject == subject)
            .order_by(StatusChangeRow.at, StatusChangeRow.id)
        )
        return [_change(r) for r in rows]


def _change(row: StatusChangeRow) -> StatusChange:
    return StatusChange(
        id=row.id,
        subject=row.subject,
        at=row.at,
        recorded_at=row.recorded_at,
        colour_from=None if row.colour_from is None else Colour(row.colour_from),
        colour_to=Colour(row.colour_to),
        cause=row.cause,
        status=decode(row.body),
    )
