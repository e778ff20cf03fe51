"""One table per fact kind, sharing the columns every fact has. Rows are inserted, never updated.
Typed free text is held encrypted in ``<field>_enc`` columns (``fact_mapping`` seals it)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from healthcode.db.base import Base
from healthcode.db.types import UTCDateTime


class FactColumns:
    """Columns common to every fact table, keyed so that a sharded store can split by subject."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(ForeignKey("persons.subject"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    supersedes: Mapped[str | None] = mapped_column(String(32))
    retracted: Mapped[bool] = mapped_column(Boolean, default=False)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (Index(f"ix_{cls.__tablename__}_subject_at", "subject", "at"),)  # type: ignore[attr-defined]


class HealthDeclarationRow(FactColumns, Base):
    __tablename__ = "health_declarations"
    temperature: Mapped[float] = mapped_column(Float)
    symptoms: Mapped[list[str]] = mapped_column(JSON)
    note_enc: Mapped[bytes] = mapped_column(LargeBinary)  # encrypted, see fact_mapping


class TravelDeclarationRow(FactColumns, Base):
    __tablename__ = "travel_declarations"
    place: Mapped[str] = mapped_column(String(6))
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date] = mapped_column(Date)


class ArrivalRow(FactColumns, Base):
    __tablename__ = "arrivals"
    from_region: Mapped[str] = mapped_column(String(6))
    to_region: Mapped[str] = mapped_column(String(6))
    source: Mapped[str] = mapped_column(String(20))
    origin_colour: Mapped[str | None] = mapped_column(String(10))
    origin_risk_area: Mapped[str | None] = mapped_column(String(10))


class PresenceRow(FactColumns, Base):
    __tablename__ = "presences"
    place_id: Mapped[str] = mapped_column(String(64))
    place_kind: Mapped[str] = mapped_column(String(30))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(20))
    cell: Mapped[str | None] = mapped_column(String(16))


class ExposureRow(FactColumns, Base):
    __tablename__ = "exposures"
    category: Mapped[str] = mapped_column(String(30))
    rule: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(64))
    place_id: Mapped[str | None] = mapped_column(String(64))
    overlap_minutes: Mapped[float] = mapped_column(Float, default=0.0)
    level: Mapped[str | None] = mapped_column(String(20))


class CaseRow(FactColumns, Base):
    __tablename__ = "cases"
    case_id: Mapped[str] = mapped_column(String(64))
    classification: Mapped[str] = mapped_column(String(20))
    sampled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    onset_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TestResultRow(FactColumns, Base):
    __tablename__ = "test_results"
    __test__ = False  # not a pytest test class
    test_kind: Mapped[str] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(String(20))
    sampled_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuarantineOrderRow(FactColumns, Base):
    __tablename__ = "quarantine_orders"
    order_id: Mapped[str] = mapped_column(String(64))
    setting: Mapped[str] = mapped_column(String(20))
    planned_end: Mapped[datetime] = mapped_column(UTCDateTime)
    reason_enc: Mapped[bytes] = mapped_column(LargeBinary)


class IdentityCheckRow(FactColumns, Base):
    __tablename__ = "identity_checks"
    channel: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(20))


class ManualOverrideRow(FactColumns, Base):
    __tablename__ = "manual_overrides"
    colour: Mapped[str] = mapped_column(String(10))
    reason_category: Mapped[str] = mapped_column(String(40))
    reason_text_enc: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    proposed_by: Mapped[str] = mapped_column(String(64), default="")
    approved_by: Mapped[str] = mapped_column(String(64), default="")


class ReleaseRow(FactColumns, Base):
    __tablename__ = "releases"
    rules: Mapped[list[str]] = mapped_column(JSON)
    reason_enc: Mapped[bytes] = mapped_column(LargeBinary)
    approved_by: Mapped[str] = mapped_column(String(64), default="")


# The indexes tracing reads facts by.
# Who was at this place in this time range (also the key a sharded store splits presences by:
# place, then day).
PRESENCES_BY_PLACE = Index("ix_presences_place_id_at", PresenceRow.place_id, PresenceRow.at)
# Companions: who was in this cell in this time range.
PRESENCES_BY_CELL = Index("ix_presences_cell_at", PresenceRow.cell, PresenceRow.at)
# A late rescan: was anything recorded since the case was last traced
# (``tracing.repository.news``); with ``at``, the probe reads the index alone.
PRESENCES_BY_RECORDING = Index("ix_presences_recorded_at", PresenceRow.recorded_at, PresenceRow.at)
# The same for a policy without the companion rule, which reads no stays in location cells: a
# city's pings arrive once a night as hundreds of thousands of stays, and without this index the
# first rescan of every recent case after them looked at each one (``news.NEWS_NOT_IN_CELLS``).
NEWS_NOT_IN_CELLS_SQL = "place_kind != 'cell' OR supersedes IS NOT NULL"
PRESENCES_NEWS_NOT_IN_CELLS = Index(
    "ix_presences_recorded_not_cells",
    PresenceRow.recorded_at,
    PresenceRow.at,
    sqlite_where=text(NEWS_NOT_IN_CELLS_SQL),
    postgresql_where=text(NEWS_NOT_IN_CELLS_SQL),
)
# Corrections: every exposure a case or risk area caused.
EXPOSURES_BY_SOURCE = Index("ix_exposures_source_id", ExposureRow.source_id)
