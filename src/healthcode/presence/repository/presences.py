"""Presences in bulk (scans, check-ins, rides, location stays) and the reads of location stays."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, union_all
from sqlalchemy.orm import Session

from healthcode.db.base import Base
from healthcode.db.bulk import MissingReference, insert_new, key_filters
from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.fact_mapping import from_row
from healthcode.db.facts import PresenceRow
from healthcode.identity.tables import PersonRow
from healthcode.kernel.facts import FactKind, Presence
from healthcode.presence.model import (
    UnknownSubjects,
)

LOCATION_SOURCES = ("gps", "telecom")


class SqlPresenceRepository:
    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def insert_rows(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert-if-absent in bulk (``healthcode.db.bulk.insert_new``), in the unit of work's
        transaction; a row of someone not registered stores nothing and names them."""
        try:
            return insert_new(self._session, _PRESENCES, rows)
        except MissingReference:  # a foreign key: name the people it is about
            subjects = {row["subject"] for row in rows}
            unknown = subjects - self.known_subjects(subjects)
            if not unknown:
                raise
            raise UnknownSubjects(unknown) from None

    def known_subjects(self, subjects: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for condition in key_filters(self._session, PersonRow.subject, subjects):
            found.update(self._session.scalars(select(PersonRow.subject).where(condition)))
        return found

    def fact_ids(self, table: str, ids: Iterable[str]) -> set[str]:
        fact_table: Table = Base.metadata.tables[table]
        found: set[str] = set()
        for condition in key_filters(self._session, fact_table.c.id, ids):
            found.update(self._session.scalars(select(fact_table.c.id).where(condition)))
        return found

    def stays_of(self, subject: str, *, since: datetime) -> list[Presence]:
        rows = self._session.scalars(
            select(PresenceRow)
            .where(
                PresenceRow.subject == subject,
                PresenceRow.source.in_(LOCATION_SOURCES),
                PresenceRow.until >= since,
            )
            .order_by(PresenceRow.at, PresenceRow.id)
        )
        return [_presence(r, self._cipher) for r in rows]

    def last_stay_before(self, subject: str, at: datetime) -> Presence | None:
        row = self._session.scalars(
            select(PresenceRow)
            .where(
                PresenceRow.subject == subject,
                PresenceRow.source.in_(LOCATION_SOURCES),
                PresenceRow.at < at,
            )
            .order_by(PresenceRow.at.desc(), PresenceRow.id.desc())
            .limit(1)
        ).first()
        return None if row is None else _presence(row, self._cipher)

    def last_stays_before(self, firsts: Mapping[str, datetime]) -> dict[str, Presence]:
        """``last_stay_before`` of many people (subject -> its own moment): a few hundred
        index look-ups a statement, then the rows found in one read."""
        wanted = sorted(firsts.items())
        ids: list[str] = []
        for first in range(0, len(wanted), _LOOKUPS):
            parts = [
                select(PresenceRow.id)
                .where(
                    PresenceRow.subject == subject,
                    PresenceRow.source.in_(LOCATION_SOURCES),
                    PresenceRow.at < at,
                )
                .order_by(PresenceRow.at.desc(), PresenceRow.id.desc())
                .limit(1)
                .subquery()
                .select()
                for subject, at in wanted[first : first + _LOOKUPS]
            ]
            ids += [i for i in self._session.scalars(union_all(*parts)) if i is not None]
        found: dict[str, Presence] = {}
        for condition in key_filters(self._session, PresenceRow.id, ids):
            for row in self._session.scalars(select(PresenceRow).where(condition)):
                found[row.subject] = _presence(row, self._cipher)
        return found


_LOOKUPS = 400
"""Per-person look-ups in one statement (SQLite allows 500 parts in a compound select)."""


_PRESENCES: Table = PresenceRow.__table__  # type: ignore[assignment]


def _presence(row: PresenceRow, cipher: PersonalDataCipher) -> Presence:
    fact = from_row(FactKind.PRESENCE, row, cipher)
    if not isinstance(fact, Presence):
        raise TypeError(f"a presence row read as {type(fact).__name__}")
    return fact
