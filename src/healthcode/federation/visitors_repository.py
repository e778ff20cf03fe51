"""Visitors' presences and peer messages, in SQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, select, update
from sqlalchemy.orm import Session

from healthcode.db.bulk import insert_if_absent, insert_new
from healthcode.federation.visitors_model import OutgoingMessage, ReceivedMessage, VisitorPresence
from healthcode.federation.visitors_tables import (
    OutgoingMessageRow,
    ReceivedMessageRow,
    VisitorPresenceRow,
)

_PRESENCES = cast(Table, VisitorPresenceRow.__table__)


class SqlVisitorRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add_presences(self, presences: Sequence[VisitorPresence]) -> int:
        return insert_new(self._session, _PRESENCES, [asdict(p) for p in presences])

    def presences_at(
        self, place_ids: Iterable[str], *, start: datetime, end: datetime
    ) -> list[VisitorPresence]:
        places = sorted(set(place_ids))
        if not places:
            return []
        rows = self._session.scalars(
            select(VisitorPresenceRow)
            .where(
                VisitorPresenceRow.place_id.in_(places),
                VisitorPresenceRow.at >= start,
                VisitorPresenceRow.at < end,
            )
            .order_by(VisitorPresenceRow.at, VisitorPresenceRow.id)
        )
        return [_presence(r) for r in rows]

    def add_outgoing(self, message: OutgoingMessage) -> bool:
        values: dict[str, Any] = {**asdict(message), "body": dict(message.body)}
        return insert_if_absent(self._session, OutgoingMessageRow, values)

    def outgoing(self, message_id: str) -> OutgoingMessage | None:
        row = self._session.get(OutgoingMessageRow, message_id, populate_existing=True)
        if row is None:
            return None
        return OutgoingMessage(
            id=row.id,
            peer=row.peer,
            kind=row.kind,
            subject=row.subject,
            body=dict(row.body),
            created_at=row.created_at,
            delivered_at=row.delivered_at,
            source=row.source,
        )

    def outgoing_from(self, source: str) -> list[OutgoingMessage]:
        rows = self._session.scalars(
            select(OutgoingMessageRow)
            .where(OutgoingMessageRow.source == source)
            .order_by(OutgoingMessageRow.created_at, OutgoingMessageRow.id)
        )
        return [
            OutgoingMessage(
                id=r.id,
                peer=r.peer,
                kind=r.kind,
                subject=r.subject,
                body=dict(r.body),
                created_at=r.created_at,
                delivered_at=r.delivered_at,
                source=r.source,
            )
            for r in rows
        ]

    def delivered(self, message_id: str, *, at: datetime) -> None:
        self._session.execute(
            update(OutgoingMessageRow)
            .where(OutgoingMessageRow.id == message_id, OutgoingMessageRow.delivered_at.is_(None))
            .values(delivered_at=at)
        )

    def received(self, peer: str, message_id: str) -> ReceivedMessage | None:
        row = self._session.get(ReceivedMessageRow, (peer, message_id), populate_existing=True)
        if row is None:
            return None
        return ReceivedMessage(
            id=row.id,
            peer=row.peer,
            kind=row.kind,
            subject=row.subject,
            digest=row.digest,
            received_at=row.received_at,
        )

    def add_received(self, message: ReceivedMessage) -> None:
        self._session.add(ReceivedMessageRow(**asdict(message)))
        self._session.flush()

    def delete_before(self, cutoff: datetime) -> int:
        statements = (
            delete(VisitorPresenceRow).where(
                VisitorPresenceRow.at < cutoff, VisitorPresenceRow.until < cutoff
            ),
            delete(OutgoingMessageRow).where(OutgoingMessageRow.delivered_at < cutoff),
            delete(ReceivedMessageRow).where(ReceivedMessageRow.received_at < cutoff),
        )
        total = 0
        for statement in statements:
            result = self._session.execute(statement.execution_options(synchronize_session=False))
            total += result.rowcount if isinstance(result, CursorResult) else 0
        return total


def _presence(row: VisitorPresenceRow) -> VisitorPresence:
    return VisitorPresence(
        id=row.id,
        issuer=row.issuer,
        subject=row.subject,
        place_id=row.place_id,
        place_kind=row.place_kind,
        place_name=row.place_name,
        at=row.at,
        until=row.until,
        source=row.source,
        cell=row.cell,
        recorded_at=row.recorded_at,
    )
