"""Arrivals recorded here: a visitor of another jurisdiction, by issuer and opaque subject,
with the colour and reasons their home city answered, and what this city's policy made of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db.base import Base
from healthcode.db.types import UTCDateTime


class ArrivalRow(Base):
    """One arrival: who (issuer, opaque subject), the origin's answer, when, recorded by whom;
    ``consent`` is the SHA-256 of the consent token (each token records one arrival)."""

    __tablename__ = "federation_arrivals"
    __table_args__ = (Index("ix_federation_arrivals_visitor", "issuer", "subject", "at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    consent: Mapped[str] = mapped_column(String(64), unique=True)
    issuer: Mapped[str] = mapped_column(String(6))
    subject: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    origin_colour: Mapped[str] = mapped_column(String(10))
    origin_reasons: Mapped[list[Any]] = mapped_column(JSON)
    origin_valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    origin_risk_area: Mapped[str | None] = mapped_column(String(10), nullable=True)
