"""Visitors' presences, and the messages sent to and received from peers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db.base import Base
from healthcode.db.types import UTCDateTime


class VisitorPresenceRow(Base):
    """A visitor's presence: their home city and opaque subject, the place and the time."""

    __tablename__ = "federation_visitor_presences"
    __table_args__ = (
        Index("ix_federation_visitor_presences_place_at", "place_id", "at"),
        # a late rescan: was a visitor's presence recorded since the case was last traced
        Index("ix_federation_visitor_presences_recorded_at", "recorded_at", "at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    issuer: Mapped[str] = mapped_column(String(6))
    subject: Mapped[str] = mapped_column(String(64))
    place_id: Mapped[str] = mapped_column(String(64))
    place_kind: Mapped[str] = mapped_column(String(30))
    place_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(20))
    cell: Mapped[str | None] = mapped_column(String(16), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutgoingMessageRow(Base):
    """A message for a peer; ``delivered_at`` once the peer acknowledged it."""

    __tablename__ = "federation_messages_out"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    peer: Mapped[str] = mapped_column(String(6), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # what caused the message here (``case:<id>``): never sent, so a withdrawal finds them
    source: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class ReceivedMessageRow(Base):
    """A message received from a peer, kept once by (peer, id)."""

    __tablename__ = "federation_messages_in"

    peer: Mapped[str] = mapped_column(String(6), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
