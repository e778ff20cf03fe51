"""The sunset's purge in SQL: every table that holds a person or where they were, emptied in
the order its foreign keys allow, and the free text of officials kept in the tables that stay
replaced by a placeholder (``sunset.purge``, ``sunset.model``)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.schema import metadata
from healthcode.oversight.access import Purpose
from healthcode.oversight.audit_chain import redacted
from healthcode.oversight.repository import (
    BREAK_GLASS_CONTEXT,
    access_record,
    audit_key,
    proposal_text_context,
)
from healthcode.oversight.tables import AccessAuditRow, BreakGlassRow, ProposalRow
from healthcode.sunset.model import PLACEHOLDER, erased, erased_what, scrub

# the access log's purposes whose ``what`` holds words an official typed
FREE_TEXT_PURPOSES = frozenset({Purpose.UNMASK.value})
# the proposal's encrypted texts, each bound to the proposal and field
PROPOSAL_TEXTS = ("reason", "decision_note", "first_approval_note")

# personal data with no foreign key to ``persons``: the people themselves, lookups of phones,
# texts to phones, logins and their throttles (officials log in again too), raw scan batches,
# channels' assertions about their users, the jobs queued about people, and visitors'
# presences and the peer messages about them (their subjects are other cities')
ALSO_PERSONAL = frozenset(
    {
        "federation_visitor_presences",
        "federation_messages_out",
        "federation_messages_in",
        "persons",
        "sign_up_codes",
        "outgoing_texts",
        "auth_sessions",
        "login_throttles",
        "seen_assertions",
        "scan_batches",
        "used_lookups",
        "jobs",
    }
)


def personal_tables() -> frozenset[str]:
    """Every table pointing at ``persons``, and ``ALSO_PERSONAL``."""
    pointing = {
        table.name
        for table in metadata().sorted_tables
        if any(fk.column.table.name == "persons" for fk in table.foreign_keys)
    }
    return frozenset(pointing | ALSO_PERSONAL)


class SqlSunsetRepository:
    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def purge_personal_data(self) -> Mapping[str, int]:
        personal = personal_tables()
        deleted: dict[str, int] = {}
        for table in reversed(metadata().sorted_tables):
            if table.name in personal:
                result = self._session.execute(delete(table))
                deleted[table.name] = result.rowcount if isinstance(result, CursorResult) else 0
        self._session.flush()
        return deleted

    def erase_free_text(self) -> Mapping[str, int]:
        erased_rows = {
            "proposals": self._erase_proposals(),
            "break_glass_uses": self._erase_break_glass(),
            "access_audit": self._erase_purposes(),
        }
        self._session.flush()
        return erased_rows

    def _erase_proposals(self) -> int:
        rows = list(self._session.scalars(select(ProposalRow).order_by(ProposalRow.id)))
        for row in rows:
            for field in PROPOSAL_TEXTS:
                column = f"{field}_enc"
                sealed: bytes | None = getattr(row, column)
                if sealed is None:
                    continue
                context = proposal_text_context(row.id, field)
                text = self._cipher.decrypt(sealed, context=context)
                setattr(row, column, self._cipher.encrypt(erased(text), context=context))
            context = proposal_text_context(row.id, "payload")
            payload = scrub(json.loads(self._cipher.decrypt(row.payload_enc, context=context)))
            row.payload_enc = self._cipher.encrypt(
                json.dumps(payload, ensure_ascii=False), context=context
            )
            if row.result is not None:
                row.result = scrub(dict(row.result))
        return len(rows)

    def _erase_break_glass(self) -> int:
        rows = list(self._session.scalars(select(BreakGlassRow)))
        for row in rows:
            row.reason_enc = self._cipher.encrypt(PLACEHOLDER, context=BREAK_GLASS_CONTEXT)
        return len(rows)

    def _erase_purposes(self) -> int:
        """Redact each record stating a purpose: the chain's MACs (and so the anchors) stay,
        a redaction MAC covers the new text (``audit_chain.redacted``)."""
        key = audit_key(self._cipher)
        rows = list(
            self._session.scalars(
                select(AccessAuditRow).where(
                    AccessAuditRow.purpose.in_(FREE_TEXT_PURPOSES),
                    AccessAuditRow.redaction.is_(None),
                )
            )
        )
        for row in rows:
            record = redacted(key, access_record(row), what=erased_what(row.what))
            row.what, row.redaction = record.what, record.redaction
        return len(rows)
