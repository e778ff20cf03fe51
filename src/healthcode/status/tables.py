"""Tables for derived status: the current status per person and its history. The status itself
(its reasons' texts quote an override's typed reason) is stored encrypted, bound to its table
and person: ``current_statuses:<subject>:body``, ``status_changes:<subject>:body``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db.base import Base
from healthcode.db.types import UTCDateTime


class CurrentStatusRow(Base):
    """The last assessed status of a person, kept until ``valid_until`` or a new fact."""

    __tablename__ = "current_statuses"

    subject: Mapped[str] = mapped_column(ForeignKey("persons.subject"), primary_key=True)
    colour: Mapped[str] = mapped_column(String(10))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    policy_version: Mapped[str] = mapped_column(String(64))
    body_enc: Mapped[bytes] = mapped_column(LargeBinary)  # the status as JSON text, encrypted


class StatusChangeRow(Base):
    """One change of a person's colour, with the reasons, the policy version and the cause."""

    __tablename__ = "status_changes"
    __table_args__ = (Index("ix_status_changes_subject_at", "subject", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(ForeignKey("persons.subject"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    colour_from: Mapped[str | None] = mapped_column(String(10))
    colour_to: Mapped[str] = mapped_column(String(10))
    cause: Mapped[str] = mapped_column(String(120))
    policy_version: Mapped[str] = mapped_column(String(64))
    body_enc: Mapped[bytes] = mapped_column(LargeBinary)  # the status as JSON text, encrypted


# The worker: statuses whose next change is due.
STATUSES_BY_VALID_UNTIL = Index("ix_current_statuses_valid_until", CurrentStatusRow.valid_until)
