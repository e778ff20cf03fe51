"""Activated policy versions: the text itself is kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db.base import Base
from healthcode.db.types import UTCDateTime


class PolicyVersionRow(Base):
    """A policy version that was activated for a jurisdiction: the text itself is kept."""

    __tablename__ = "policy_versions"
    __table_args__ = (Index("ix_policy_versions_jurisdiction", "jurisdiction", "activated_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    jurisdiction: Mapped[str] = mapped_column(String(6))
    version: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    activated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    activated_by: Mapped[str] = mapped_column(String(120))
    approved_by: Mapped[str | None] = mapped_column(String(120))
