"""Key metadata and trust-list publications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from healthcode.codes.model import KeyRecord, Publication
from healthcode.codes.tables import KeyRow, TrustListPublicationRow
from healthcode.db.bulk import insert_if_absent

_TABLE: Table = KeyRow.__table__  # type: ignore[assignment]
_KEYS = (
    select(*_TABLE.columns)
    .where(_TABLE.c.jurisdiction == bindparam("jurisdiction"))
    .order_by(_TABLE.c.valid_from, _TABLE.c.kid)
)
"""Built once (plain rows, no ORM objects): read on every request that shows a code."""


class SqlKeyRepository:
    """Keys of the transaction: a jurisdiction's are read once (verifying a code looks them up
    four times: signing keys, roots, the trust list's) and read again after a change here."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._read: dict[str, tuple[KeyRecord, ...]] = {}

    def add(self, key: KeyRecord) -> None:
        self._session.add(
            KeyRow(
                kid=key.kid,
                jurisdiction=key.jurisdiction,
                role=key.role,
                public_key=key.public_key,
                created_at=key.created_at,
                valid_from=key.valid_from,
                valid_until=key.valid_until,
            )
        )
        self._session.flush()
        self._read.clear()

    def all(self, jurisdiction: str, *, role: str | None = None) -> list[KeyRecord]:
        keys = self._read.get(jurisdiction)
        if keys is None:
            rows = self._session.execute(_KEYS, {"jurisdiction": jurisdiction})
            keys = self._read[jurisdiction] = tuple(
                KeyRecord(
                    kid=r.kid,
                    jurisdiction=r.jurisdiction,
                    role=r.role,
                    public_key=r.public_key,
                    created_at=r.created_at,
                    valid_from=r.valid_from,
                    valid_until=r.valid_until,
                )
                for r in rows
            )
        return [k for k in keys if role is None or k.role == role]

    def end_validity(self, kid: str, at: datetime) -> None:
        row = self._session.get(KeyRow, kid)
        if row is not None and row.valid_until > at:
            row.valid_until = at
            self._session.flush()
        self._read.clear()

    def last_publication(self, jurisdiction: str) -> Publication | None:
        row = self._session.scalars(
            select(TrustListPublicationRow)
            .where(TrustListPublicationRow.jurisdiction == jurisdiction)
            .order_by(TrustListPublicationRow.sequence.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return _publication(row)

    def add_publication(self, publication: Publication) -> Publication:
        insert_if_absent(
            self._session,
            TrustListPublicationRow,
            {
                "sequence": publication.sequence,
                "jurisdiction": publication.jurisdiction,
                "content_sha256": publication.content_sha256,
                "issued_at": publication.issued_at,
                "document": publication.document,
            },
        )
        row = self._session.get_one(
            TrustListPublicationRow,
            (publication.jurisdiction, publication.sequence),
            populate_existing=True,
        )
        return _publication(row)


def _publication(row: TrustListPublicationRow) -> Publication:
    return Publication(
        sequence=row.sequence,
        jurisdiction=row.jurisdiction,
        content_sha256=row.content_sha256,
        issued_at=row.issued_at,
        document=row.document,
    )
