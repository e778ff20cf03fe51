"""Presences in bulk (scans, check-ins, rides, location stays) and the reads of location stays."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, String, Table, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from healthcode.db.base import Base
from healthcode.db.bulk import MissingReference, insert_new, key_filters
from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.fact_mapping import from_row
from healthcode.db.facts import PresenceRow
from healthcode.db.types import UTCDateTime
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
        """``last_stay_before`` of many people (subject -> its own moment): one statement, an
        index look-up a pair over the pairs bound as arrays, that returns the rows found."""
        # plain rows, not ORM objects: a location batch reads thousands of people's
        rows = self._last_stays(firsts, _COLUMNS)
        return {row.subject: _presence(row, self._cipher) for row in rows}

    def last_places_before(self, firsts: Mapping[str, datetime]) -> dict[str, str | None]:
        """Where each of those stays was (its cell, else its place), read as two columns: a
        night's upload asks it of everyone, and needs the whole stay of the few who moved."""
        c = _PRESENCES.c
        rows = self._last_stays(firsts, (c.subject, c.cell, c.place_id))
        return {subject: cell or place for subject, cell, place in rows}

    def _last_stays(self, firsts: Mapping[str, datetime], columns: Sequence[Column[Any]]) -> Any:
        """Each pair's last location stay (``LOCATION_SOURCES``) begun before its moment, by
        the ``subject, at`` index: one look-up a pair, in one statement, its ``columns``."""
        if not firsts:
            return []
        self._session.flush()  # read past the session: what it holds is written first
        dialect = self._session.get_bind().dialect
        pairs = sorted(firsts.items())
        chosen = ", ".join(f"p.{column.name}" for column in columns)
        if dialect.name == "postgresql":
            statement = text(_LAST_STAYS_PG.format(columns=chosen)).bindparams(
                bindparam("subjects", [s for s, _ in pairs], type_=ARRAY(String)),
                bindparam("moments", [at for _, at in pairs], type_=ARRAY(DateTime(timezone=True))),
            )
        else:
            moment = UTCDateTime().bind_processor(dialect)
            assert moment is not None  # noqa: S101 - SQLite stores times as text
            wanted = json.dumps([[s, moment(at)] for s, at in pairs])
            statement = text(_LAST_STAYS_SQLITE.format(columns=chosen)).bindparams(pairs=wanted)
        return self._session.connection().execute(statement.columns(*columns))


_PRESENCES: Table = PresenceRow.__table__  # type: ignore[assignment]
_COLUMNS = tuple(_PRESENCES.columns)
_LAST_STAYS_SQLITE = """
SELECT {columns} FROM json_each(:pairs) AS w
JOIN presences p ON p.rowid = (
  SELECT q.rowid FROM presences q
  WHERE q.subject = json_extract(w.value, '$[0]') AND q.source IN ('gps', 'telecom')
    AND q.at < json_extract(w.value, '$[1]')
  ORDER BY q.at DESC, q.id DESC LIMIT 1)"""
_LAST_STAYS_PG = """
SELECT {columns} FROM unnest(:subjects, :moments) AS w(subject, moment)
CROSS JOIN LATERAL (
  SELECT * FROM presences q
  WHERE q.subject = w.subject AND q.source IN ('gps', 'telecom') AND q.at < w.moment
  ORDER BY q.at DESC, q.id DESC LIMIT 1) AS p"""
"""The last stays' statements, ``columns`` of ``p`` put in. (SQLite has no LATERAL: its
subquery names the row, read back by rowid.)"""


def _presence(row: Any, cipher: PersonalDataCipher) -> Presence:
    """The presence a row holds (an ORM object or a plain row)."""
    fact = from_row(FactKind.PRESENCE, row, cipher)
    if not isinstance(fact, Presence):
        raise TypeError(f"a presence row read as {type(fact).__name__}")
    return fact
