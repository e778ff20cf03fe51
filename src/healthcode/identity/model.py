"""People and the accounts that act for them: a registered person and their consents, channels,
sessions, officials, website accounts and login throttles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# the refusal of a second verified holder of one ID number, from the check or the constraint
VERIFIED_FOR_ANOTHER = "is verified for another person: ask an official"


class IdentityState(StrEnum):
    """How far a person's ID number is proven.

    ``verified``: an operator at the console, a channel registering its user, or a channel's
    face-checked assertion vouched for it; at most one verified person holds an ID number.
    ``unverified``: claimed on the website and not yet confirmed; a claim blocks no one.
    ``taken_back``: the claim was false (another person was verified with that ID number).
    ``closed``: the person closed their account; their personal data is purged and the
    identity can no longer log in (``healthcode.rights.closing``)."""

    VERIFIED = "verified"
    UNVERIFIED = "unverified"
    TAKEN_BACK = "taken_back"
    CLOSED = "closed"


@dataclass(frozen=True, kw_only=True)
class Person:
    """A resident as registered. Personal fields are in clear here; storage encrypts them."""

    subject: str
    jurisdiction: str
    id_type: str
    id_number: str
    name: str
    phone: str
    address: str
    registered_at: datetime
    district: str | None = None  # GB/T 2260 code of the home district, when known
    identity: IdentityState = IdentityState.VERIFIED


@dataclass(frozen=True, kw_only=True)
class Consent:
    """Consent to one purpose of data use, with when it was given (and withdrawn)."""

    purpose: str
    granted_at: datetime
    withdrawn_at: datetime | None = None

    def active_at(self, at: datetime) -> bool:
        return self.granted_at <= at and (self.withdrawn_at is None or at < self.withdrawn_at)


LOCATION_CONSENT_PURPOSE = "location_for_epidemic_control"


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
    secrets_rotated_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class AuthSession:
    token_hash: str
    kind: str  # citizen | official | channel
    principal_id: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    # a citizen's session: whether the person still exists (read with the session, one query)
    person_exists: bool = True


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
    # the admin who proposed the account or its last change of role or scope (None: made at
    # the console): four eyes never pairs an official with their sponsor
    sponsored_by: str | None = None


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
