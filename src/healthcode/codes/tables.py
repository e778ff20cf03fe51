"""Public halves and validity periods of a jurisdiction's keys; private halves live in files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db.base import Base
from healthcode.db.types import UTCDateTime


class KeyRow(Base):
    """A root key (signs trust lists) or a signing key (signs codes in its validity period)."""

    __tablename__ = "keys"
    __table_args__ = (Index("ix_keys_jurisdiction_role", "jurisdiction", "role"),)

    kid: Mapped[str] = mapped_column(String(16), primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(6))
    role: Mapped[str] = mapped_column(String(10))  # root | signing
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)


class TrustListPublicationRow(Base):
    """Each trust list content published, with its sequence number: the sequence only grows."""

    __tablename__ = "trust_list_publications"

    jurisdiction: Mapped[str] = mapped_column(String(6), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    content_sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    document: Mapped[str] = mapped_column(String)
