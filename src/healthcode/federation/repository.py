"""Peers, their held lists and sync counts, in SQL."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from healthcode.federation.model import HeldList, NewPeer, Outcome, Peer
from healthcode.federation.tables import PeerListRow, PeerRow, PeerSyncCountRow


class SqlPeerRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, peer: NewPeer, *, at: datetime, by: str) -> None:
        self._session.add(
            PeerRow(
                jurisdiction=peer.jurisdiction,
                base_url=peer.base_url,
                root_public_key=peer.root_public_key,
                added_at=at,
                added_by=by,
            )
        )
        self._session.flush()

    def get(self, jurisdiction: str, *, for_update: bool = False) -> Peer | None:
        query = select(PeerRow).where(PeerRow.jurisdiction == jurisdiction)
        if for_update:
            query = query.with_for_update()
        row = self._session.scalars(query).first()
        if row is None:
            return None
        held = self._session.get(PeerListRow, jurisdiction, populate_existing=True)
        return _peer(row, held)

    def all(self) -> list[Peer]:
        # one statement: /api/v1/verify reads the peers on every call
        rows = self._session.execute(
            select(PeerRow, PeerListRow)
            .outerjoin(PeerListRow, PeerListRow.jurisdiction == PeerRow.jurisdiction)
            .order_by(PeerRow.jurisdiction)
        ).all()
        return [_peer(peer, held) for peer, held in rows]

    def remove(self, jurisdiction: str) -> None:
        for table in (PeerListRow, PeerSyncCountRow, PeerRow):
            self._session.execute(delete(table).where(table.jurisdiction == jurisdiction))

    def hold(self, jurisdiction: str, held: HeldList, *, root_public_key: bytes) -> None:
        row = self._session.get(PeerListRow, jurisdiction)
        if row is None:
            row = PeerListRow(jurisdiction=jurisdiction)
            self._session.add(row)
        row.sequence = held.sequence
        row.issued_at = held.issued_at
        row.received_at = held.received_at
        row.document = held.document
        self._session.execute(
            update(PeerRow)
            .where(PeerRow.jurisdiction == jurisdiction)
            .values(root_public_key=root_public_key)
        )
        self._session.flush()

    def record_attempt(
        self, jurisdiction: str, *, outcome: Outcome, at: datetime, error: str | None
    ) -> None:
        values: dict[str, object] = {"last_attempt_at": at}
        if error is None:
            values["last_success_at"] = at
        else:
            values |= {"last_error": error, "last_error_at": at}
        self._session.execute(
            update(PeerRow).where(PeerRow.jurisdiction == jurisdiction).values(**values)
        )
        count = self._session.get(PeerSyncCountRow, (jurisdiction, outcome.value))
        if count is None:
            self._session.add(
                PeerSyncCountRow(jurisdiction=jurisdiction, outcome=outcome.value, count=1)
            )
        else:
            count.count += 1
        self._session.flush()

    def outcome_counts(self) -> Mapping[tuple[str, str], int]:
        return {
            (r.jurisdiction, r.outcome): r.count
            for r in self._session.scalars(select(PeerSyncCountRow))
        }


def _peer(row: PeerRow, held: PeerListRow | None) -> Peer:
    return Peer(
        jurisdiction=row.jurisdiction,
        base_url=row.base_url,
        root_public_key=row.root_public_key,
        added_at=row.added_at,
        added_by=row.added_by,
        held=None
        if held is None
        else HeldList(held.document, held.sequence, held.issued_at, held.received_at),
        last_attempt_at=row.last_attempt_at,
        last_success_at=row.last_success_at,
        last_error=row.last_error,
        last_error_at=row.last_error_at,
    )
