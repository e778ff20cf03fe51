"""The outbox repository: queue, claim with a lease, mark delivered or failed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from healthcode.db.bulk import insert_if_absent
from healthcode.notifications.model import OutboxMessage
from healthcode.notifications.tables import OutboxRow


def _message(row: OutboxRow) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        idempotency_key=row.idempotency_key,
        channel_id=row.channel_id,
        subject=row.subject,
        event=row.event,
        body=row.body,
        created_at=row.created_at,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        delivered_at=row.delivered_at,
        last_error=row.last_error,
    )


class SqlOutboxRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, message: OutboxMessage) -> bool:
        return insert_if_absent(
            self._session,
            OutboxRow,
            {
                "id": message.id,
                "idempotency_key": message.idempotency_key,
                "channel_id": message.channel_id,
                "subject": message.subject,
                "event": message.event,
                "body": message.body,
                "created_at": message.created_at,
                "status": message.status,
                "attempts": message.attempts,
                "next_attempt_at": message.next_attempt_at or message.created_at,
                "last_error": message.last_error,
            },
        )

    def claim_due(
        self, *, now: datetime, lease_until: datetime, limit: int
    ) -> Sequence[OutboxMessage]:
        query = (
            select(OutboxRow)
            .where(
                OutboxRow.status == "pending",
                OutboxRow.next_attempt_at <= now,
                or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until <= now),
            )
            .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = list(self._session.scalars(query))
        for row in rows:
            row.claimed_until = lease_until
        self._session.flush()
        return [_message(row) for row in rows]

    def mark_delivered(self, message_id: str, *, at: datetime) -> None:
        row = self._session.get(OutboxRow, message_id, with_for_update=True)
        if row is None:
            raise LookupError(message_id)
        row.status = "delivered"
        row.delivered_at = at
        row.attempts += 1
        row.claimed_until = None
        row.last_error = ""
        self._session.flush()

    def mark_failed(
        self,
        message_id: str,
        *,
        attempts: int,
        next_attempt_at: datetime,
        parked: bool,
        error: str,
    ) -> None:
        row = self._session.get(OutboxRow, message_id, with_for_update=True)
        if row is None:
            raise LookupError(message_id)
        row.attempts = attempts
        row.next_attempt_at = next_attempt_at
        row.status = "parked" if parked else "pending"
        row.claimed_until = None
        row.last_error = error[:1000]
        self._session.flush()

    def list(self, *, status: str | None = None) -> list[OutboxMessage]:
        query = select(OutboxRow).order_by(OutboxRow.created_at, OutboxRow.id)
        if status is not None:
            query = query.where(OutboxRow.status == status)
        return [_message(row) for row in self._session.scalars(query)]
