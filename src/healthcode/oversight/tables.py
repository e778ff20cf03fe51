"""Tables for oversight: four-eyes proposals and the hash-chained access log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db.base import Base
from healthcode.db.types import UTCDateTime


class ProposalRow(Base):
    """A proposed change and its decision; never deleted. Its free text (the reason, the
    decision's note), where officials type names and phone numbers, is encrypted."""

    __tablename__ = "proposals"
    __table_args__ = (Index("ix_proposals_status_proposed_at", "status", "proposed_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(32), index=True)
    case_id: Mapped[str | None] = mapped_column(String(32), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(6))
    payload_enc: Mapped[bytes] = mapped_column(LargeBinary)  # JSON text, encrypted
    reason_enc: Mapped[bytes] = mapped_column(LargeBinary)
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_by_role: Mapped[str] = mapped_column(String(20))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # who sponsored the proposer's account (an approver may not be that admin)
    proposer_sponsor: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_by_role: Mapped[str | None] = mapped_column(String(20))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note_enc: Mapped[bytes] = mapped_column(LargeBinary)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # a bulk action: the people it touches (counted when proposed), above the threshold or not,
    # and its first approval (a second, different approver executes it)
    people: Mapped[int | None] = mapped_column(Integer)
    bulk: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    first_approved_by: Mapped[str | None] = mapped_column(String(64))
    first_approved_by_role: Mapped[str | None] = mapped_column(String(20))
    first_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_approval_note_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


class AccessAuditRow(Base):
    """One read of a person's data by someone else. Append-only; each row MACs the one before."""

    __tablename__ = "access_audit"
    __table_args__ = (Index("ix_access_audit_subject_at", "subject", "at"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(32))
    what: Mapped[str] = mapped_column(String(120))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # set once when the sunset erases the record's free text (audit_chain.redacted): migration 0021
    redaction: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditHeadRow(Base):
    """The one row naming the last record of the chain (MAC'd); writers lock it to append."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))


class BreakGlassRow(Base):
    """One break-glass read: the operator holding the data key read people without an
    official's session (each person read is also in the access log, role ``break_glass``).
    The reason, free text, is encrypted. Appended, never edited."""

    __tablename__ = "break_glass_uses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    operator: Mapped[str] = mapped_column(String(120))
    what: Mapped[str] = mapped_column(String(120))
    people: Mapped[int] = mapped_column(Integer)
    reason_enc: Mapped[bytes] = mapped_column(LargeBinary)


class InstanceStateRow(Base):
    """The instance's one state row (id 1): collecting or retired (``oversight.instance``)."""

    __tablename__ = "instance_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    phase: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposal: Mapped[str | None] = mapped_column(String(32))
    purge_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the final transparency report, kept when the personal data is purged (counts only)
    final_report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
