"""Peers, the last good trust list of each, and how their syncs came out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db.base import Base
from healthcode.db.types import UTCDateTime


class PeerRow(Base):
    """Another jurisdiction: its base URL, the root key pinned when it was added, and how its
    last sync went."""

    __tablename__ = "federation_peers"

    jurisdiction: Mapped[str] = mapped_column(String(6), primary_key=True)
    base_url: Mapped[str] = mapped_column(String(500))
    root_public_key: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str] = mapped_column(String(200))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PeerListRow(Base):
    """A peer's last good trust list, its file form exactly as received."""

    __tablename__ = "federation_peer_lists"

    jurisdiction: Mapped[str] = mapped_column(String(6), primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    document: Mapped[str] = mapped_column(Text)


class PeerSyncCountRow(Base):
    """How many syncs of a peer came to each outcome (accepted, unchanged, each refusal)."""

    __tablename__ = "federation_sync_counts"

    jurisdiction: Mapped[str] = mapped_column(String(6), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(30), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
