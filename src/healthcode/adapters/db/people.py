"""Tables for people: registration (personal data encrypted) and consents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from healthcode.adapters.db.base import Base
from healthcode.adapters.db.types import UTCDateTime


class PersonRow(Base):
    """A registered person. Only the opaque subject id and keyed hashes are stored in clear."""

    __tablename__ = "persons"
    __table_args__ = (UniqueConstraint("jurisdiction", "id_lookup", name="uq_persons_id_lookup"),)

    subject: Mapped[str] = mapped_column(String(32), primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(6))
    id_type: Mapped[str] = mapped_column(String(20))
    id_lookup: Mapped[str] = mapped_column(String(64))
    phone_lookup: Mapped[str] = mapped_column(String(64), index=True)
    household: Mapped[str] = mapped_column(String(64), index=True)
    district: Mapped[str | None] = mapped_column(String(6))
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    address_enc: Mapped[bytes] = mapped_column(LargeBinary)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)

    consents: Mapped[list[ConsentRow]] = relationship(lazy="raise", back_populates="person")


class ConsentRow(Base):
    """A consent given for one purpose at one time; withdrawing it keeps the record."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(ForeignKey("persons.subject"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[PersonRow] = relationship(lazy="raise", back_populates="consents")
