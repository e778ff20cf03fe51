"""Tables for where people were: organisations, venues, checkpoint devices, received scan
batches, place-code check-ins, staff lists and jurisdiction boundaries.

Presences themselves are facts (``healthcode.db.facts.PresenceRow``), with the indexes
tracing reads them by.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db.base import Base
from healthcode.db.types import UTCDateTime


class OrganisationRow(Base):
    """An organisation that operates venues and may employ staff."""

    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    jurisdiction: Mapped[str] = mapped_column(String(6), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VenueRow(Base):
    """A place with a kind, a position (and its H3 resolution-8 cell) and an operator."""

    __tablename__ = "venues"
    __table_args__ = (Index("ix_venues_cell", "cell"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    cell: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(6), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    code_issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place_code: Mapped[str] = mapped_column(Text)


class DeviceRow(Base):
    """A checkpoint device at a venue, known by its Ed25519 public key."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    venue_id: Mapped[str] = mapped_column(ForeignKey("venues.id"), index=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # when an admin revoked it: its later batches are refused, its earlier scans kept
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScanBatchRow(Base):
    """A batch of scans received from a device (keyed by the digest of its signed bytes)."""

    __tablename__ = "scan_batches"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scans: Mapped[int] = mapped_column(Integer)
    stored: Mapped[int] = mapped_column(Integer)


class UsedLookupRow(Base):
    """A signed status lookup already answered, keyed by the digest of its signed bytes and
    kept until its time is out of the accepted window: a replay of it is refused."""

    __tablename__ = "used_lookups"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class CheckinRow(Base):
    """A place-code check-in: accepted ones are presences; flagged ones wait for review."""

    __tablename__ = "checkins"
    __table_args__ = (
        Index("ix_checkins_subject_at", "subject", "at"),
        Index("ix_checkins_state_at", "state", "at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(ForeignKey("persons.subject"))
    venue_id: Mapped[str] = mapped_column(ForeignKey("venues.id"))
    jurisdiction: Mapped[str] = mapped_column(String(6))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float)
    flag: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(12))  # accepted | flagged | confirmed | rejected
    outcome: Mapped[str] = mapped_column(String(8))  # pass | stop
    colour: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    presence_id: Mapped[str | None] = mapped_column(String(32))
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffRow(Base):
    """A person on an organisation's staff list; counted only once the person consented."""

    __tablename__ = "staff"

    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    subject: Mapped[str] = mapped_column(ForeignKey("persons.subject"), primary_key=True)
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BoundaryRow(Base):
    """A jurisdiction's boundary (GeoJSON geometry), imported from a file."""

    __tablename__ = "jurisdiction_boundaries"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PurgeRow(Base):
    """How many records of one kind a retention purge deleted, and when: what the transparency
    report counts as purged (no record of whose)."""

    __tablename__ = "purges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(30))
    count: Mapped[int] = mapped_column(Integer)
