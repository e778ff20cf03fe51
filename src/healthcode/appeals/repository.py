"""Appeals in SQL, their free text encrypted (each field bound to its appeal)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from healthcode.appeals.model import Appeal, AppealCounts, AppealState, Correction
from healthcode.appeals.tables import AppealRow
from healthcode.db.encryption import PersonalDataCipher
from healthcode.identity.tables import PersonRow
from healthcode.kernel.facts import Colour


def _context(appeal_id: str, field: str) -> str:
    return f"appeal:{appeal_id}:{field}"


class SqlAppealRepository:
    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def _seal(self, appeal_id: str, field: str, text: str) -> bytes:
        return self._cipher.encrypt(text, context=_context(appeal_id, field))

    def _open(self, row: AppealRow, field: str, sealed: bytes) -> str:
        return self._cipher.decrypt(sealed, context=_context(row.id, field))

    def _appeal(self, row: AppealRow) -> Appeal:
        return Appeal(
            id=row.id,
            subject=row.subject,
            jurisdiction=row.jurisdiction,
            colour=Colour(row.colour),
            reason=self._open(row, "reason", row.reason_enc),
            evidence=None
            if row.evidence_enc is None
            else self._open(row, "evidence", row.evidence_enc),
            filed_at=row.filed_at,
            due_at=row.due_at,
            state=AppealState(row.state),
            decided_at=row.decided_at,
            decided_by=row.decided_by,
            decision=self._open(row, "decision", row.decision_enc),
            correction=None if row.correction is None else Correction(row.correction),
            proposal_id=row.proposal_id,
        )

    def add(self, appeal: Appeal) -> None:
        self._session.add(
            AppealRow(
                id=appeal.id,
                subject=appeal.subject,
                jurisdiction=appeal.jurisdiction,
                colour=appeal.colour.value,
                reason_enc=self._seal(appeal.id, "reason", appeal.reason),
                evidence_enc=None
                if appeal.evidence is None
                else self._seal(appeal.id, "evidence", appeal.evidence),
                filed_at=appeal.filed_at,
                due_at=appeal.due_at,
                state=appeal.state.value,
                decision_enc=self._seal(appeal.id, "decision", appeal.decision),
            )
        )
        self._session.flush()

    def get(self, appeal_id: str, *, for_update: bool = False) -> Appeal | None:
        row = self._session.get(AppealRow, appeal_id, with_for_update=for_update)
        return None if row is None else self._appeal(row)

    def save_decision(self, appeal: Appeal) -> None:
        row = self._session.get(AppealRow, appeal.id)
        if row is None:
            raise LookupError(appeal.id)
        row.state = appeal.state.value
        row.decided_at = appeal.decided_at
        row.decided_by = appeal.decided_by
        row.decision_enc = self._seal(appeal.id, "decision", appeal.decision)
        row.correction = None if appeal.correction is None else appeal.correction.value
        row.proposal_id = appeal.proposal_id
        self._session.flush()

    def open_of(self, subject: str) -> Appeal | None:
        row = self._session.scalars(
            select(AppealRow).where(
                AppealRow.subject == subject, AppealRow.state == AppealState.OPEN.value
            )
        ).first()
        return None if row is None else self._appeal(row)

    def of_subject(self, subject: str) -> list[Appeal]:
        rows = self._session.scalars(
            select(AppealRow)
            .where(AppealRow.subject == subject)
            .order_by(AppealRow.filed_at, AppealRow.id)
        )
        return [self._appeal(row) for row in rows]

    def queue(
        self, *, jurisdiction: str | None, district: str | None, open_only: bool, limit: int
    ) -> list[Appeal]:
        query = select(AppealRow)
        if jurisdiction is not None:
            query = query.where(AppealRow.jurisdiction == jurisdiction)
        if district is not None:  # cut at the query: no one outside is loaded or decrypted
            query = query.join(PersonRow, PersonRow.subject == AppealRow.subject).where(
                PersonRow.district == district
            )
        if open_only:
            query = query.where(AppealRow.state == AppealState.OPEN.value)
        query = query.order_by(AppealRow.due_at, AppealRow.id).limit(limit)
        return [self._appeal(row) for row in self._session.scalars(query)]

    def counts(self, now: datetime) -> AppealCounts:
        is_open = AppealRow.state == AppealState.OPEN.value
        open_count = self._session.scalar(select(func.count()).where(is_open))
        overdue = self._session.scalar(select(func.count()).where(is_open, AppealRow.due_at <= now))
        return AppealCounts(open=int(open_count or 0), overdue=int(overdue or 0))

    def forget(self, subject: str, *, at: datetime) -> int:
        rows = list(self._session.scalars(select(AppealRow).where(AppealRow.subject == subject)))
        for row in rows:
            row.reason_enc = self._seal(row.id, "reason", "")
            row.evidence_enc = None
            if row.state == AppealState.OPEN.value:
                row.state = AppealState.WITHDRAWN.value
                row.decided_at = at
        self._session.flush()
        return len(rows)
