"""What identity, oversight and notification use cases need from storage; adapters implement it.

Secrets are handed over in clear only where a use case needs them (a webhook secret to sign, a
TOTP secret to check); storage encrypts them. Identifiers that must not be stored in clear
(phone numbers, login names in the throttle) are given in clear and hashed by the adapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from healthcode.domain.audit_chain import AccessRecord, ChainProblem
from healthcode.domain.proposals import Proposal, ProposalStatus


@dataclass(frozen=True, kw_only=True)
class Channel:
    id: str
    name: str
    kind: str  # app | website
    public_key_pem: str
    client_secret_hash: str
    webhook_url: str
    webhook_secret: str
    created_at: datetime
    active: bool = True


@dataclass(frozen=True, kw_only=True)
class AuthSession:
    token_hash: str
    kind: str  # citizen | official | channel
    principal_id: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Official:
    id: str
    username: str
    role: str
    jurisdiction: str
    district: str | None
    password_hash: str
    totp_secret: str
    totp_last_step: int
    created_at: datetime
    active: bool = True


@dataclass(frozen=True, kw_only=True)
class CitizenAccount:
    subject: str
    password_hash: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class Throttle:
    failures: int
    window_started: datetime
    locked_until: datetime | None


@dataclass(frozen=True, kw_only=True)
class OutboxMessage:
    id: str
    idempotency_key: str
    channel_id: str
    subject: str
    event: str
    body: str
    created_at: datetime
    status: str = "pending"  # pending | delivered | parked
    attempts: int = 0
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    last_error: str = ""


class ChannelRepository(Protocol):
    def add(self, channel: Channel) -> None: ...

    def get(self, channel_id: str) -> Channel | None: ...

    def by_name(self, name: str) -> Channel | None: ...

    def all(self) -> list[Channel]: ...

    def bind(
        self, *, channel_id: str, channel_user_id: str, subject: str, bound_at: datetime
    ) -> None: ...

    def subject_for(self, *, channel_id: str, channel_user_id: str) -> str | None: ...

    def bindings_of(self, subject: str) -> list[tuple[str, str]]:
        """(channel id, the channel's user id) for every channel the person is bound to."""
        ...

    def remember_assertion(self, *, issuer: str, jti: str, expires_at: datetime) -> bool:
        """Record an assertion id; False if it was already recorded (a replay)."""
        ...

    def forget_assertions(self, *, before: datetime) -> int: ...


class SessionRepository(Protocol):
    def add(self, session: AuthSession) -> None: ...

    def get(self, token_hash: str) -> AuthSession | None: ...

    def revoke(self, token_hash: str, *, at: datetime) -> None: ...


class OfficialRepository(Protocol):
    def add(self, official: Official) -> None: ...

    def get(self, official_id: str) -> Official | None: ...

    def by_username(self, username: str) -> Official | None: ...

    def set_totp_last_step(self, official_id: str, step: int) -> None: ...


class AccountRepository(Protocol):
    def add(
        self, *, subject: str, phone: str, password_hash: str, created_at: datetime
    ) -> None: ...

    def by_phone(self, phone: str) -> CitizenAccount | None: ...


class ThrottleRepository(Protocol):
    def get(self, identifier: str) -> Throttle | None:
        """The throttle of an identifier, locked for this transaction where the store can."""
        ...

    def save(self, identifier: str, throttle: Throttle) -> None: ...

    def clear(self, identifier: str) -> None: ...


class ProposalRepository(Protocol):
    def add(self, proposal: Proposal) -> None: ...

    def get(self, proposal_id: str, *, for_update: bool = False) -> Proposal | None: ...

    def save_decision(self, proposal: Proposal) -> None: ...

    def list(
        self, *, status: ProposalStatus | None = None, jurisdiction: str | None = None
    ) -> list[Proposal]: ...


class AuditLogRepository(Protocol):
    def append(
        self, *, at: datetime, actor: str, role: str, purpose: str, subject: str, what: str
    ) -> AccessRecord:
        """Append a record to the chain (serialised with every other writer)."""
        ...

    def for_subject(self, subject: str) -> list[AccessRecord]: ...

    def verify(self) -> tuple[int, ChainProblem | None]:
        """How many records there are, and the first break in the chain (None: whole)."""
        ...


class OutboxRepository(Protocol):
    def add(self, message: OutboxMessage) -> bool:
        """Queue a message; False if its idempotency key is already queued."""
        ...

    def claim_due(
        self, *, now: datetime, lease_until: datetime, limit: int
    ) -> Sequence[OutboxMessage]:
        """Pending messages due by ``now``, claimed until ``lease_until`` (others skip them)."""
        ...

    def mark_delivered(self, message_id: str, *, at: datetime) -> None: ...

    def mark_failed(
        self,
        message_id: str,
        *,
        attempts: int,
        next_attempt_at: datetime,
        parked: bool,
        error: str,
    ) -> None: ...

    def list(self, *, status: str | None = None) -> list[OutboxMessage]: ...
