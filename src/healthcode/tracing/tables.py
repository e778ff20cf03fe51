"""Tables for cases, risk areas and what tracing derived (with its evidence)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db.base import Base
from healthcode.db.types import UTCDateTime


class CaseRecordRow(Base):
    """A reported case: its details (replaced by a correction), its state and who did what.
    Its free text (the lab's test reference, the reason of a withdrawal), where officials type
    names and phone numbers, is encrypted."""

    __tablename__ = "case_records"
    __table_args__ = (
        Index("ix_case_records_jurisdiction_reported_at", "jurisdiction", "reported_at"),
    )

    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(ForeignKey("persons.subject"), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(6))
    classification: Mapped[str] = mapped_column(String(20))
    sampled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    onset_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    isolated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    test_reference_enc: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(12))
    version: Mapped[int] = mapped_column(Integer)
    reported_by: Mapped[str] = mapped_column(String(120))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str | None] = mapped_column(String(120))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    case_fact_id: Mapped[str | None] = mapped_column(String(32))
    withdrawn_by: Mapped[str | None] = mapped_column(String(120))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawal_reason_enc: Mapped[bytes] = mapped_column(LargeBinary)
    traced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    trace_counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    traced_version: Mapped[int | None] = mapped_column(Integer)
    traced_settings: Mapped[str | None] = mapped_column(String(16))
    exposures: Mapped[int] = mapped_column(Integer, default=0)


class RiskAreaRow(Base):
    """A declared risk area: cells and venues at a level for a time window."""

    __tablename__ = "risk_areas"
    __table_args__ = (Index("ix_risk_areas_jurisdiction_ends_at", "jurisdiction", "ends_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(10))
    cells: Mapped[list[str]] = mapped_column(JSON)
    venues: Mapped[list[str]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    proposed_by: Mapped[str] = mapped_column(String(120))
    approved_by: Mapped[str] = mapped_column(String(120))


class TracedFactRow(Base):
    """A fact tracing recorded (exposure or quarantine order), its source and its evidence."""

    __tablename__ = "traced_facts"
    __table_args__ = (
        Index("ix_traced_facts_source_id", "source_id"),
        Index("ix_traced_facts_subject", "subject"),
    )

    fact_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(20))
    source_kind: Mapped[str] = mapped_column(String(12))
    source_id: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(ForeignKey("persons.subject"))
    rule: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(30))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retracted_by: Mapped[str | None] = mapped_column(String(32))
