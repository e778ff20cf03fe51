"""Tables for identity: people (personal data encrypted) and consents, channels and their users,
sessions, citizen and official accounts, login throttles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from healthcode.db.base import Base
from healthcode.db.types import UTCDateTime


class PersonRow(Base):
    """A registered person. Only the opaque subject id and keyed hashes are stored in clear.

    ``claim_lookup`` is the keyed hash of the ID number the person registered with;
    ``id_lookup`` is the same for a *verified* person, and ``claim:<subject>`` for a claim not
    verified: the unique constraint holds one verified person per ID number and jurisdiction,
    while unverified website claims of the same number may be many (a claim blocks no one
    until a channel confirms it)."""

    __tablename__ = "persons"
    __table_args__ = (
        UniqueConstraint("jurisdiction", "id_lookup", name="uq_persons_id_lookup"),
        Index("ix_persons_claim_lookup", "jurisdiction", "claim_lookup"),
        # who joined a household since a case was last traced (``tracing.repository.news``)
        Index("ix_persons_registered_at", "registered_at"),
    )

    subject: Mapped[str] = mapped_column(String(32), primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(6))
    id_type: Mapped[str] = mapped_column(String(20))
    id_lookup: Mapped[str] = mapped_column(String(64))
    claim_lookup: Mapped[str | None] = mapped_column(String(64))
    phone_lookup: Mapped[str] = mapped_column(String(64), index=True)
    household: Mapped[str] = mapped_column(String(64), index=True)
    district: Mapped[str | None] = mapped_column(String(6))
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    address_enc: Mapped[bytes] = mapped_column(LargeBinary)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    identity_state: Mapped[str] = mapped_column(
        String(12), default="verified", server_default="verified"
    )

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


class ChannelRow(Base):
    """A partner app or the city website: its key for assertions and its webhook."""

    __tablename__ = "channels"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the OAuth2 client id
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # app | website
    public_key_pem: Mapped[str] = mapped_column(Text)
    client_secret_hash: Mapped[str] = mapped_column(String(64))
    webhook_url: Mapped[str] = mapped_column(String(500))
    webhook_secret_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    secrets_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChannelBindingRow(Base):
    """A channel's own user id bound to a subject: how the channel names the person."""

    __tablename__ = "channel_bindings"

    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id"), primary_key=True)
    channel_user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    subject: Mapped[str] = mapped_column(ForeignKey("persons.subject"), index=True)
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SeenAssertionRow(Base):
    """An assertion id already used, kept until the assertion expires (replay refused)."""

    __tablename__ = "seen_assertions"

    issuer: Mapped[str] = mapped_column(String(64), primary_key=True)
    jti: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AuthSessionRow(Base):
    """A bearer token (only its hash): a website or official session, or a channel's token."""

    __tablename__ = "auth_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # citizen | official | channel
    principal_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CitizenAccountRow(Base):
    """A website login: the phone (keyed hash) and an argon2 password hash."""

    __tablename__ = "citizen_accounts"

    subject: Mapped[str] = mapped_column(ForeignKey("persons.subject"), primary_key=True)
    phone_lookup: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OfficialRow(Base):
    """An official's account: role, scope, argon2 password, TOTP secret (encrypted)."""

    __tablename__ = "officials"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    jurisdiction: Mapped[str] = mapped_column(String(6))
    district: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret_enc: Mapped[bytes] = mapped_column(LargeBinary)
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sponsored_by: Mapped[str | None] = mapped_column(String(64))


class LoginThrottleRow(Base):
    """Failed logins per identifier (keyed hash): rate limit and lockout across processes.

    Unknown identifiers are throttled exactly like known ones, so the answer never tells
    whether an account exists."""

    __tablename__ = "login_throttles"
    __table_args__ = (Index("ix_login_throttles_locked_until", "locked_until"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignUpCodeRow(Base):
    """The one live sign-up code of a phone (keyed hash of phone; keyed hash of phone + code):
    a new code replaces the old one. Used once, within its expiry and attempts."""

    __tablename__ = "sign_up_codes"

    phone_lookup: Mapped[str] = mapped_column(String(64), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutgoingTextRow(Base):
    """A text message waiting for its job to hand it to the SMS gateway (phone and text
    encrypted: the text may be a sign-up code); deleted once sent."""

    __tablename__ = "outgoing_texts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    phone_enc: Mapped[bytes] = mapped_column(LargeBinary)
    text_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdentityEventRow(Base):
    """A change of a person's identity state: verified by a channel, or a claim taken back
    (with the verified holder it was taken back for). Appended, never edited."""

    __tablename__ = "identity_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(ForeignKey("persons.subject"), index=True)
    state: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel_id: Mapped[str | None] = mapped_column(String(64))
    holder: Mapped[str | None] = mapped_column(String(32))
