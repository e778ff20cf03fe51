"""Bulk reads and writes for reassessing many people at once (tracing a case touches hundreds):
facts of chosen kinds, cached statuses, status changes, channel bindings and outbox rows, each
in a few statements instead of a few per person."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from healthcode.adapters.db.bulk import insert_many, key_filters, next_ids, upsert_many
from healthcode.adapters.db.fact_mapping import ROW_TYPES, from_row
from healthcode.adapters.db.identity import ChannelBindingRow, ChannelRow
from healthcode.adapters.db.outbox import OutboxRow
from healthcode.adapters.db.people import PersonRow
from healthcode.adapters.db.status import CurrentStatusRow, StatusChangeRow
from healthcode.domain.facts import Colour, Fact, FactKind, ordered
from healthcode.domain.status import Status
from healthcode.services.access_ports import OutboxMessage
from healthcode.services.ports import StatusChange
from healthcode.services.status_codec import encode
from healthcode.services.tracing_ports import StatusHead


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _encode(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    if isinstance(value, Colour | FactKind):
        return value.value
    return value


class SqlStatusBatchRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
        # a status recorded as a change is then cached as current: encode it once
        self._bodies: dict[int, tuple[Status, dict[str, Any]]] = {}

    def _body(self, status: Status) -> dict[str, Any]:
        held = self._bodies.get(id(status))
        if held is not None and held[0] is status:
            return held[1]
        body = encode(status)
        self._bodies[id(status)] = (status, body)
        return body

    def jurisdictions(self, subjects: Sequence[str]) -> Mapping[str, str]:
        found: dict[str, str] = {}
        for condition in key_filters(self._session, PersonRow.subject, subjects):
            rows = self._session.execute(
                select(PersonRow.subject, PersonRow.jurisdiction).where(condition)
            )
            found.update({s: j for s, j in rows})
        return found

    def facts(self, subjects: Sequence[str], kinds: Iterable[FactKind]) -> Mapping[str, list[Fact]]:
        found: dict[str, list[Fact]] = {s: [] for s in subjects}
        for kind in kinds:
            table = _table(ROW_TYPES[kind])
            for condition in key_filters(self._session, table.c.subject, subjects):
                query = select(*table.columns).where(condition)
                for row in self._session.execute(query):
                    found[row.subject].append(from_row(kind, row))
        return {s: ordered(f) for s, f in found.items()}

    def add_facts(self, facts: Sequence[Fact]) -> None:
        by_kind: dict[FactKind, list[dict[str, Any]]] = defaultdict(list)
        for fact in facts:
            by_kind[fact.kind].append(
                {f.name: _encode(getattr(fact, f.name)) for f in dataclasses.fields(fact)}
            )
        for kind, rows in by_kind.items():
            insert_many(self._session, _table(ROW_TYPES[kind]), rows)

    def heads(self, subjects: Sequence[str]) -> Mapping[str, StatusHead]:
        found: dict[str, StatusHead] = {}
        c = CurrentStatusRow
        for condition in key_filters(self._session, c.subject, subjects):
            rows = self._session.execute(
                select(c.subject, c.colour, c.valid_until, c.policy_version).where(condition)
            )
            found.update({s: StatusHead(Colour(col), until, v) for s, col, until, v in rows})
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
                    "body": self._body(s),
                }
                for s in statuses
            ],
            key="subject",
        )
        self._bodies.clear()

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
                "body": self._body(c.status),
            }
            for c, i in zip(changes, ids, strict=True)
        ]
        insert_many(self._session, table, rows)
        return [
            dataclasses.replace(c, id=i, cause=c.cause[:120])
            for c, i in zip(changes, ids, strict=True)
        ]

    def bindings(self, subjects: Sequence[str]) -> Mapping[str, list[tuple[str, str]]]:
        """Per subject, (channel id, channel user id) of its active channels."""
        found: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for condition in key_filters(self._session, ChannelBindingRow.subject, subjects):
            rows = self._session.execute(
                select(
                    ChannelBindingRow.subject,
                    ChannelBindingRow.channel_id,
                    ChannelBindingRow.channel_user_id,
                )
                .join(ChannelRow, ChannelRow.id == ChannelBindingRow.channel_id)
                .where(condition, ChannelRow.active.is_(True))
                .order_by(ChannelBindingRow.subject, ChannelBindingRow.channel_id)
            )
            for subject, channel_id, user_id in rows:
                found[subject].append((channel_id, user_id))
        return found

    def add_outbox(self, messages: Sequence[OutboxMessage]) -> int:
        if not messages:
            return 0
        # each message names a change recorded in this transaction: its key is new, so a plain
        # insert (no conflict handling, no RETURNING) is safe and the fastest
        rows = [
            {
                "id": m.id,
                "idempotency_key": m.idempotency_key,
                "channel_id": m.channel_id,
                "subject": m.subject,
                "event": m.event,
                "body": m.body,
                "created_at": m.created_at,
                "status": m.status,
                "attempts": m.attempts,
                "next_attempt_at": m.next_attempt_at or m.created_at,
                "last_error": m.last_error,
            }
            for m in messages
        ]
        insert_many(self._session, _table(OutboxRow), rows)
        return len(rows)
