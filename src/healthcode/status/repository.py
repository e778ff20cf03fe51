"""Facts appended and read, the status cache and history, and the bulk reads and writes of
reassessing many people at once."""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from healthcode.db.bulk import insert_many, key_filters, next_ids, upsert_many
from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.fact_mapping import ROW_TYPES, facts_of, row_values, select_facts, to_row
from healthcode.kernel.facts import Colour, Fact, FactKind, ordered
from healthcode.kernel.status import Status
from healthcode.status.codec import decode, encode
from healthcode.status.model import StatusChange, StatusHead
from healthcode.status.tables import CurrentStatusRow, StatusChangeRow


class SqlFactRepository:
    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def add(self, fact: Fact) -> None:
        self._session.add(to_row(fact, self._cipher))
        self._session.flush()

    def for_subject(
        self, subject: str, *, kinds: Iterable[FactKind] | None = None
    ) -> Sequence[Fact]:
        found: list[Fact] = []
        for kind in kinds if kinds is not None else ROW_TYPES:
            # plain rows, as ``by_subject`` reads them: no identity tracking for read-only facts
            table = ROW_TYPES[kind].__table__  # type: ignore[attr-defined]
            rows = self._session.execute(select_facts(kind).where(table.c.subject == subject))
            found.extend(facts_of(kind, rows, self._cipher))
        return ordered(found)

    def by_subject(self, subjects: Sequence[str]) -> Mapping[str, list[Fact]]:
        found: dict[str, list[Fact]] = {s: [] for s in subjects}
        for kind, row_type in ROW_TYPES.items():
            # Plain rows, not ORM objects: bulk reads are several times faster without identity
            # tracking, and facts are read-only anyway.
            table = row_type.__table__  # type: ignore[attr-defined]
            rows = self._session.execute(
                select_facts(kind).where(table.c.subject.in_(list(subjects)))
            )
            for fact in facts_of(kind, rows, self._cipher):
                found[fact.subject].append(fact)
        return {s: ordered(facts) for s, facts in found.items()}


def body_text(status: Status) -> str:
    """The stored form of a status before it is encrypted: compact JSON."""
    return json.dumps(encode(status), ensure_ascii=False, separators=(",", ":"))


def seal_body(cipher: PersonalDataCipher, text: str, *, table: str, subject: str) -> bytes:
    """A status's JSON text encrypted for its row of ``table`` (bound to the table and person:
    a history row's id is known only once it is inserted)."""
    return cipher.encrypt(text, context=f"{table}:{subject}:body")


def _open_body(cipher: PersonalDataCipher, sealed: bytes, *, table: str, subject: str) -> Status:
    return decode(json.loads(cipher.decrypt(bytes(sealed), context=f"{table}:{subject}:body")))


_COLOURS = {c.value: c for c in Colour}

CURRENT = "current_statuses"
HISTORY = "status_changes"


_CURRENT_TABLE: Table = CurrentStatusRow.__table__  # type: ignore[assignment]
_CURRENT_BODY = select(_CURRENT_TABLE.c.body_enc).where(
    _CURRENT_TABLE.c.subject == bindparam("subject")
)
"""Built once (a plain row, no ORM object): read on every code and status shown."""


class SqlStatusRepository:
    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def current(self, subject: str) -> Status | None:
        row = self._session.execute(_CURRENT_BODY, {"subject": subject}).first()
        if row is None:
            return None
        return _open_body(self._cipher, row.body_enc, table=CURRENT, subject=subject)

    def save_current(self, status: Status) -> None:
        row = self._session.get(CurrentStatusRow, status.subject)
        if row is None:
            row = CurrentStatusRow(subject=status.subject)
            self._session.add(row)
        row.colour = status.colour.value
        row.assessed_at = status.assessed_at
        row.valid_until = status.valid_until
        row.policy_version = status.policy_version
        row.body_enc = seal_body(
            self._cipher, body_text(status), table=CURRENT, subject=status.subject
        )
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
            body_enc=seal_body(
                self._cipher, body_text(change.status), table=HISTORY, subject=change.subject
            ),
        )
        self._session.add(row)
        self._session.flush()
        return dataclasses.replace(change, id=row.id, cause=row.cause)

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
        return [_change(r, self._cipher) for r in rows]


def _change(row: StatusChangeRow, cipher: PersonalDataCipher) -> StatusChange:
    return StatusChange(
        id=row.id,
        subject=row.subject,
        at=row.at,
        recorded_at=row.recorded_at,
        colour_from=None if row.colour_from is None else Colour(row.colour_from),
        colour_to=Colour(row.colour_to),
        cause=row.cause,
        status=_open_body(cipher, row.body_enc, table=HISTORY, subject=row.subject),
    )


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


class SqlStatusBatchRepository:
    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher
        # a status recorded as a change is then cached as current: encode it once
        self._bodies: dict[int, tuple[Status, str]] = {}

    def _body(self, status: Status, *, table: str) -> bytes:
        held = self._bodies.get(id(status))
        if held is not None and held[0] is status:
            text = held[1]
        else:
            text = body_text(status)
            self._bodies[id(status)] = (status, text)
        return seal_body(self._cipher, text, table=table, subject=status.subject)

    def facts(self, subjects: Sequence[str], kinds: Iterable[FactKind]) -> Mapping[str, list[Fact]]:
        self._session.flush()  # read past the session: what it holds is written first
        found: dict[str, list[Fact]] = {s: [] for s in subjects}
        for kind in kinds:
            table = _table(ROW_TYPES[kind])
            for condition in key_filters(self._session, table.c.subject, subjects):
                rows = self._session.connection().execute(select_facts(kind).where(condition))
                for fact in facts_of(kind, rows, self._cipher):
                    found[fact.subject].append(fact)
        return {s: ordered(f) for s, f in found.items()}

    def add_facts(self, facts: Sequence[Fact]) -> None:
        by_kind: dict[FactKind, list[dict[str, Any]]] = defaultdict(list)
        for fact in facts:
            by_kind[fact.kind].append(row_values(fact, self._cipher))
        for kind, rows in by_kind.items():
            insert_many(self._session, _table(ROW_TYPES[kind]), rows)

    def heads(self, subjects: Sequence[str]) -> Mapping[str, StatusHead]:
        found: dict[str, StatusHead] = {}
        c = CurrentStatusRow
        self._session.flush()  # read past the session: what it holds is written first
        colour = _COLOURS.__getitem__
        for condition in key_filters(self._session, c.subject, subjects):
            # through the connection: plain rows, without the ORM's per-row loading
            rows = (
                self._session.connection()
                .execute(
                    select(c.subject, c.colour, c.valid_until, c.policy_version).where(condition)
                )
                .all()
            )
            found.update({s: StatusHead(colour(col), until, v) for s, col, until, v in rows})
        return found

    def currents(self, subjects: Sequence[str]) -> Mapping[str, Status]:
        found: dict[str, Status] = {}
        c = CurrentStatusRow
        for condition in key_filters(self._session, c.subject, subjects):
            rows = self._session.execute(select(c.subject, c.body_enc).where(condition))
            found.update(
                {s: _open_body(self._cipher, b, table=CURRENT, subject=s) for s, b in rows}
            )
        return found

    def save_current(self, statuses: Sequence[Status]) -> None:
        if not statuses:
            return
        upsert_many(
            self._session,
            _table(CurrentStatusRow),
            [
                {
                    "subject": s.subject,
                    "colour": s.colour.value,
                    "assessed_at": s.assessed_at,
                    "valid_until": s.valid_until,
                    "policy_version": s.policy_version,
                    "body_enc": self._body(s, table=CURRENT),
                }
                for s in statuses
            ],
            key="subject",
        )
        self._bodies.clear()
        self._forget_loaded([s.subject for s in statuses])

    def _forget_loaded(self, subjects: Sequence[str]) -> None:
        """Expire the rows of ``subjects`` the session loaded earlier in the transaction (saved
        one at a time, ``SqlStatusRepository.save_current``): it must not answer from them
        after the bulk write."""
        held = self._session.identity_map
        if not held:
            return
        for subject in subjects:
            row = held.get(identity_key(CurrentStatusRow, subject))
            if row is not None:
                self._session.expire(row)

    def add_changes(self, changes: Sequence[StatusChange]) -> list[StatusChange]:
        if not changes:
            return []
        table = _table(StatusChangeRow)
        ids = next_ids(self._session, table, len(changes))
        rows = [
            {
                "id": i,
                "subject": c.subject,
                "at": c.at,
                "recorded_at": c.recorded_at,
                "colour_from": None if c.colour_from is None else c.colour_from.value,
                "colour_to": c.colour_to.value,
                "cause": c.cause[:120],
                "policy_version": c.status.policy_version,
                "body_enc": self._body(c.status, table=HISTORY),
            }
            for c, i in zip(changes, ids, strict=True)
        ]
        insert_many(self._session, table, rows)
        return [
            dataclasses.replace(c, id=i, cause=c.cause[:120])
            for c, i in zip(changes, ids, strict=True)
        ]
