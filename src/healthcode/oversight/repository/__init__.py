"""Repositories for four-eyes proposals and the hash-chained access log."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Table, column, func, or_, select, table, update
from sqlalchemy.orm import Session

from healthcode.db.bulk import insert_many, key_filters
from healthcode.db.encryption import PersonalDataCipher
from healthcode.oversight.audit_chain import (
    GENESIS,
    AccessEntry,
    AccessRecord,
    ChainHead,
    ChainProblem,
    head_mac,
    record_mac,
    verify_chain,
)
from healthcode.oversight.model import BreakGlassUse, Proposal, ProposalStatus
from healthcode.oversight.tables import AccessAuditRow, AuditHeadRow, BreakGlassRow, ProposalRow

HEAD_ID = 1
BREAK_GLASS_CONTEXT = "break_glass:reason"  # what a break-glass reason's encryption is bound to

# Identity's table of people, named by the two columns a district's scope joins on: oversight
# sits below identity and may not import its tables, yet a district official's list of
# proposals must be cut at the query, not after every proposal is loaded and decrypted.
_PERSONS = table("persons", column("subject"), column("district"))


def audit_key(cipher: PersonalDataCipher) -> bytes:
    """The access log's MAC key, derived from the data key (HMAC of a fixed label)."""
    return bytes.fromhex(cipher.lookup("access-audit-chain/v1", purpose="subkey"))


def proposal_text_context(proposal_id: str, field: str) -> str:
    """What a proposal's encrypted text is bound to (its id and field)."""
    return f"proposal:{proposal_id}:{field}"


def _proposal(row: ProposalRow, cipher: PersonalDataCipher) -> Proposal:
    return Proposal(
        id=row.id,
        kind=row.kind,
        subject=row.subject,
        case_id=row.case_id,
        jurisdiction=row.jurisdiction,
        payload=json.loads(
            cipher.decrypt(row.payload_enc, context=proposal_text_context(row.id, "payload"))
        ),
        reason=cipher.decrypt(row.reason_enc, context=proposal_text_context(row.id, "reason")),
        proposed_by=row.proposed_by,
        proposed_by_role=row.proposed_by_role,
        proposed_at=row.proposed_at,
        status=ProposalStatus(row.status),
        decided_by=row.decided_by,
        decided_by_role=row.decided_by_role,
        decided_at=row.decided_at,
        decision_note=cipher.decrypt(
            row.decision_note_enc, context=proposal_text_context(row.id, "decision_note")
        ),
        result=None if row.result is None else dict(row.result),
        proposer_sponsor=row.proposer_sponsor,
        people=row.people,
        bulk=bool(row.bulk),
        first_approved_by=row.first_approved_by,
        first_approved_by_role=row.first_approved_by_role,
        first_approved_at=row.first_approved_at,
        first_approval_note=""
        if row.first_approval_note_enc is None
        else cipher.decrypt(
            row.first_approval_note_enc,
            context=proposal_text_context(row.id, "first_approval_note"),
        ),
    )


class SqlProposalRepository:
    """Proposals, their reason and decision note encrypted (each bound to its proposal)."""

    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def _seal(self, proposal_id: str, field: str, text: str) -> bytes:
        return self._cipher.encrypt(text, context=proposal_text_context(proposal_id, field))

    def add(self, proposal: Proposal) -> None:
        self._session.add(
            ProposalRow(
                id=proposal.id,
                kind=proposal.kind,
                subject=proposal.subject,
                case_id=proposal.case_id,
                jurisdiction=proposal.jurisdiction,
                payload_enc=self._seal(
                    proposal.id, "payload", json.dumps(dict(proposal.payload), ensure_ascii=False)
                ),
                reason_enc=self._seal(proposal.id, "reason", proposal.reason),
                proposed_by=proposal.proposed_by,
                proposed_by_role=proposal.proposed_by_role,
                proposed_at=proposal.proposed_at,
                proposer_sponsor=proposal.proposer_sponsor,
                status=proposal.status.value,
                decision_note_enc=self._seal(proposal.id, "decision_note", proposal.decision_note),
                people=proposal.people,
                bulk=proposal.bulk,
            )
        )
        self._session.flush()

    def get(self, proposal_id: str, *, for_update: bool = False) -> Proposal | None:
        row = self._session.get(ProposalRow, proposal_id, with_for_update=for_update)
        return None if row is None else _proposal(row, self._cipher)

    def save_decision(self, proposal: Proposal) -> None:
        row = self._session.get(ProposalRow, proposal.id)
        if row is None:
            raise LookupError(proposal.id)
        row.payload_enc = self._seal(
            proposal.id, "payload", json.dumps(dict(proposal.payload), ensure_ascii=False)
        )
        row.status = proposal.status.value
        row.decided_by = proposal.decided_by
        row.decided_by_role = proposal.decided_by_role
        row.decided_at = proposal.decided_at
        row.decision_note_enc = self._seal(proposal.id, "decision_note", proposal.decision_note)
        row.result = None if proposal.result is None else dict(proposal.result)
        self._session.flush()

    def save_first_approval(self, proposal: Proposal) -> None:
        row = self._session.get(ProposalRow, proposal.id)
        if row is None:
            raise LookupError(proposal.id)
        row.first_approved_by = proposal.first_approved_by
        row.first_approved_by_role = proposal.first_approved_by_role
        row.first_approved_at = proposal.first_approved_at
        row.first_approval_note_enc = self._seal(
            proposal.id, "first_approval_note", proposal.first_approval_note
        )
        self._session.flush()

    def count_proposed_by(self, *, kind: str, proposed_by: str, since: datetime) -> int:
        return int(
            self._session.scalar(
                select(func.count())
                .select_from(ProposalRow)
                .where(
                    ProposalRow.kind == kind,
                    ProposalRow.proposed_by == proposed_by,
                    ProposalRow.proposed_at >= since,
                )
            )
            or 0
        )

    def bulk_between(self, start: datetime, end: datetime) -> list[Proposal]:
        rows = self._session.scalars(
            select(ProposalRow)
            .where(
                ProposalRow.bulk.is_(True),
                ProposalRow.proposed_at >= start,
                ProposalRow.proposed_at < end,
            )
            .order_by(ProposalRow.proposed_at, ProposalRow.id)
        )
        return [_proposal(row, self._cipher) for row in rows]

    def for_cases(self, case_ids: Sequence[str]) -> Mapping[str, list[Proposal]]:
        found: dict[str, list[Proposal]] = {case_id: [] for case_id in case_ids}
        for condition in key_filters(self._session, ProposalRow.case_id, case_ids):
            rows = self._session.scalars(
                select(ProposalRow)
                .where(condition)
                .order_by(ProposalRow.proposed_at, ProposalRow.id)
            )
            for row in rows:
                found[str(row.case_id)].append(_proposal(row, self._cipher))
        return found

    def list(
        self,
        *,
        status: ProposalStatus | None = None,
        jurisdiction: str | None = None,
        district: str | None = None,
        kinds: Sequence[str] | None = None,
    ) -> list[Proposal]:
        query = select(ProposalRow).order_by(ProposalRow.proposed_at, ProposalRow.id)
        if kinds is not None:
            query = query.where(ProposalRow.kind.in_(kinds))
        if status is not None:
            query = query.where(ProposalRow.status == status.value)
        if jurisdiction is not None:
            query = query.where(ProposalRow.jurisdiction == jurisdiction)
        if district is not None:
            in_district = select(_PERSONS.c.subject).where(_PERSONS.c.district == district)
            query = query.where(
                or_(ProposalRow.subject.is_(None), ProposalRow.subject.in_(in_district))
            )
        return [_proposal(row, self._cipher) for row in self._session.scalars(query)]


def access_record(row: AccessAuditRow) -> AccessRecord:
    """The access log's record a row holds."""
    return AccessRecord(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        role=row.role,
        purpose=row.purpose,
        subject=row.subject,
        what=row.what,
        prev_hash=row.prev_hash,
        hash=row.hash,
        redaction=row.redaction,
    )


class SqlAuditLogRepository:
    """Appends lock the head row first (a write lock on SQLite, a row lock on PostgreSQL), so
    concurrent writers form one chain."""

    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def _locked_head(self) -> AuditHeadRow:
        # Take the lock before reading the head: UPDATE ... SET seq = seq.
        self._session.execute(
            update(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID).values(seq=AuditHeadRow.seq)
        )
        head = self._session.get(AuditHeadRow, HEAD_ID, populate_existing=True)
        if head is None:
            head = AuditHeadRow(id=HEAD_ID, seq=0, hash=GENESIS, mac="")
            self._session.add(head)
        return head

    def append(
        self, *, at: datetime, actor: str, role: str, purpose: str, subject: str, what: str
    ) -> AccessRecord:
        (values,) = self._chain(
            at=at, actor=actor, role=role, purpose=purpose, subjects=[subject], what=what
        )
        row = AccessAuditRow(**values)
        self._session.add(row)
        self._session.flush()
        return access_record(row)

    def append_many(
        self,
        *,
        at: datetime,
        actor: str,
        role: str,
        purpose: str,
        subjects: Sequence[str],
        what: str,
    ) -> int:
        if not subjects:
            return 0
        rows = self._chain(
            at=at, actor=actor, role=role, purpose=purpose, subjects=subjects, what=what
        )
        records: Table = AccessAuditRow.__table__  # type: ignore[assignment]
        insert_many(self._session, records, rows)
        self._session.flush()
        return len(rows)

    def _chain(
        self,
        *,
        at: datetime,
        actor: str,
        role: str,
        purpose: str,
        subjects: Sequence[str],
        what: str,
    ) -> list[dict[str, object]]:
        """The rows of one record per subject, each chained to the one before, from the locked
        head on; the head is moved to the last of them."""
        key = audit_key(self._cipher)
        head = self._locked_head()
        seq, digest = head.seq, head.hash
        rows: list[dict[str, object]] = []
        for subject in subjects:
            seq += 1
            entry = AccessEntry(
                seq=seq,
                at=at,
                actor=actor,
                role=role,
                purpose=purpose,
                subject=subject,
                what=what,
                prev_hash=digest,
            )
            digest = record_mac(key, entry)
            rows.append({**vars(entry), "hash": digest})
        head.seq, head.hash = seq, digest
        head.mac = head_mac(key, seq=seq, hash_=digest)
        return rows

    def for_subject(self, subject: str) -> list[AccessRecord]:
        rows = self._session.scalars(
            select(AccessAuditRow)
            .where(AccessAuditRow.subject == subject)
            .order_by(AccessAuditRow.seq)
        )
        return [access_record(row) for row in rows]

    def head(self) -> tuple[int, str]:
        row = self._session.get(AuditHeadRow, HEAD_ID)
        return (0, GENESIS) if row is None else (row.seq, row.hash)

    def record_at(self, seq: int) -> AccessRecord | None:
        row = self._session.scalar(select(AccessAuditRow).where(AccessAuditRow.seq == seq))
        return None if row is None else access_record(row)

    def last_seq(self) -> int:
        return self._session.scalar(select(func.max(AccessAuditRow.seq))) or 0

    def verify(self) -> tuple[int, ChainProblem | None]:
        row = self._session.get(AuditHeadRow, HEAD_ID)
        head = None if row is None else ChainHead(seq=row.seq, hash=row.hash, mac=row.mac)
        if head is not None and head.seq == 0 and head.mac == "" and head.hash == GENESIS:
            # the genesis head, never signed: only valid while there is no record
            head = ChainHead(
                seq=0, hash=GENESIS, mac=head_mac(audit_key(self._cipher), seq=0, hash_=GENESIS)
            )
        count = self._session.scalar(select(func.count()).select_from(AccessAuditRow)) or 0
        # streamed a thousand rows at a time: the log of a city does not fit in memory
        rows = self._session.scalars(
            select(AccessAuditRow).order_by(AccessAuditRow.seq).execution_options(yield_per=1_000)
        )
        try:
            return count, verify_chain(
                (access_record(r) for r in rows), head, audit_key(self._cipher)
            )
        finally:
            rows.close()  # the chain may break before its end: free the server-side cursor


class SqlBreakGlassRepository:
    """The break-glass log (``oversight.tables.BreakGlassRow``)."""

    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def add(self, *, at: datetime, operator: str, what: str, people: int, reason: str) -> None:
        row = BreakGlassRow(
            at=at,
            operator=operator,
            what=what,
            people=people,
            reason_enc=self._cipher.encrypt(reason, context=BREAK_GLASS_CONTEXT),
        )
        self._session.add(row)
        self._session.flush()

    def between(self, start: datetime, end: datetime) -> list[BreakGlassUse]:
        rows = self._session.scalars(
            select(BreakGlassRow)
            .where(BreakGlassRow.at >= start, BreakGlassRow.at < end)
            .order_by(BreakGlassRow.at, BreakGlassRow.id)
        )
        return [
            BreakGlassUse(
                id=row.id,
                at=row.at,
                operator=row.operator,
                what=row.what,
                people=row.people,
                reason=self._cipher.decrypt(row.reason_enc, context=BREAK_GLASS_CONTEXT),
            )
            for row in rows
        ]
