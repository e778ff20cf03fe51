"""The appeals table: one row per appeal, its free text encrypted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db.base import Base
from healthcode.db.types import UTCDateTime


class AppealRow(Base):
    """An appeal and its answer; never deleted (its turnaround is reported). The reason, the
    evidence and the decision are encrypted, each bound to the appeal."""

    __tablename__ = "appeals"
    __table_args__ = (
        Index("ix_appeals_state_due_at", "state", "due_at"),
        Index("ix_appeals_subject_filed_at", "subject", "filed_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(ForeignKey("persons.subject"))
    jurisdiction: Mapped[str] = mapped_column(String(6))
    colour: Mapped[str] = mapped_column(String(10))
    reason_enc: Mapped[bytes] = mapped_column(LargeBinary)
    evidence_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decision_enc: Mapped[bytes] = mapped_column(LargeBinary)
    correction: Mapped[str | None] = mapped_column(String(12))
    proposal_id: Mapped[str | None] = mapped_column(String(32))
