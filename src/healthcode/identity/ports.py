"""What the identity use cases need from storage; ``identity.repository`` implements it.

Secrets are handed over in clear only where a use case needs them (a webhook secret to sign, a
TOTP secret to check); storage encrypts them. Identifiers that must not be stored in clear
(phone numbers, login names in the throttle) are given in clear and hashed by the adapter.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from healthcode.identity.model import (
    AuthSession,
    Channel,
    CitizenAccount,
    Consent,
    IdentityState,
    Official,
    Person,
    Throttle,
)
from healthcode.jobs.ports import JobsUnitOfWork
from healthcode.kernel.errors import DomainError
from healthcode.oversight.ports import PersonDirectory
from healthcode.status.ports import StatusUnitOfWork


class PersonRepository(PersonDirectory, Protocol):
    def add(self, person: Person) -> None: ...

    def add_many(self, people: Sequence[Person]) -> None:
        """``add`` of many people at once."""
        ...

    def get(self, subject: str) -> Person | None: ...

    def subject_for_id_number(
        self, *, jurisdiction: str, id_type: str, id_number: str
    ) -> str | None:
        """The one person verified with the ID number in the jurisdiction."""
        ...

    def claimants(self, *, jurisdiction: str, id_type: str, id_number: str) -> list[str]:
        """Every person whose claim of the ID number is not verified (nor taken back)."""
        ...

    def verified_holders(
        self, *, jurisdiction: str, numbers: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        """``subject_for_id_number`` of many (ID type, ID number) pairs at once: those verified
        for someone, with their subject."""
        ...

    def claimants_of(
        self, *, jurisdiction: str, numbers: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], list[str]]:
        """``claimants`` of many (ID type, ID number) pairs at once (unclaimed pairs absent)."""
        ...

    def set_identity(self, subject: str, state: IdentityState) -> None: ...

    def add_consent(self, subject: str, consent: Consent) -> None: ...

    def add_consents(self, consents: Mapping[str, Consent]) -> None:
        """``add_consent`` of many people (subject -> consent) at once, in order."""
        ...

    def consents(self, subject: str) -> list[Consent]: ...

    def consents_of(self, subjects: Sequence[str]) -> dict[str, list[Consent]]:
        """``consents`` of many people at once."""
        ...

    def subjects(self) -> list[str]: ...

    def iter_subjects(
        self, *, jurisdiction: str, batch_size: int, after: str = ""
    ) -> Iterator[list[str]]:
        """Every registered subject of the jurisdiction above ``after``, in batches, in order."""
        ...


class ChannelRepository(Protocol):
    def add(self, channel: Channel) -> None: ...

    def get(self, channel_id: str) -> Channel | None: ...

    def by_name(self, name: str) -> Channel | None: ...

    def all(self) -> list[Channel]: ...

    def rotate_secrets(
        self, channel_id: str, *, client_secret_hash: str, webhook_secret: str, at: datetime
    ) -> None:
        """Replace the client secret's hash and the webhook secret, noting when."""
        ...

    def bind(
        self, *, channel_id: str, channel_user_id: str, subject: str, bound_at: datetime
    ) -> None: ...

    def subject_for(self, *, channel_id: str, channel_user_id: str) -> str | None: ...

    def active_bindings(self, subjects: Sequence[str]) -> Mapping[str, list[tuple[str, str]]]:
        """Per subject, (channel id, the channel's user id) of every active channel the person is
        bound to (few queries, for many people)."""
        ...

    def remember_assertion(self, *, issuer: str, jti: str, expires_at: datetime) -> bool:
        """Record an assertion id; False if it was already recorded (a replay)."""
        ...

    def forget_assertions(self, *, before: datetime) -> int: ...


class SeenAssertionStore(Protocol):
    """Where used channel-assertion ids may live outside the database (Redis): a fast,
    self-expiring "first use?" answered by one atomic write."""

    def remember(self, *, issuer: str, jti: str, expires_at: datetime) -> bool | None:
        """True on the first use of ``jti`` from ``issuer``, False on a replay, None when the
        store cannot answer (the caller then uses the database table)."""
        ...

    def close(self) -> None: ...


class SessionRepository(Protocol):
    def add(self, session: AuthSession) -> None: ...

    def get(self, token_hash: str) -> AuthSession | None: ...

    def revoke(self, token_hash: str, *, at: datetime) -> None: ...

    def revoke_all(self, *, kind: str, principal_id: str, at: datetime) -> int:
        """Revoke every live session of one official, citizen or channel; how many."""
        ...


class OfficialRepository(Protocol):
    def add(self, official: Official) -> None: ...

    def get(self, official_id: str) -> Official | None: ...

    def by_username(self, username: str) -> Official | None: ...

    def save(self, official: Official) -> None:
        """Store an account's role, scope, sponsor, active flag and TOTP secret and step."""
        ...

    def all(self) -> list[Official]:
        """Every account, by username (officials are counted in hundreds, not millions)."""
        ...

    def count_active(self, *, role: str, for_update: bool = False) -> int:
        """How many active accounts hold ``role``; ``for_update`` locks them, so that two
        transactions removing admins cannot both see the other's admin as the one left."""
        ...

    def use_totp_step(self, official_id: str, step: int) -> bool:
        """Record ``step`` as the official's last accepted TOTP step if it is later than the
        one recorded and the account is active, in one conditional update: True for the one
        request that did, False for every other (a replay, even a parallel one)."""
        ...


class AccountRepository(Protocol):
    def add(
        self, *, subject: str, phone: str, password_hash: str, created_at: datetime
    ) -> None: ...

    def by_phone(self, phone: str) -> CitizenAccount | None: ...


class ThrottleRepository(Protocol):
    def get(self, identifier: str) -> Throttle | None:
        """The throttle of an identifier as it stands."""
        ...

    def reserve(
        self,
        identifier: str,
        *,
        now: datetime,
        window_from: datetime,
        limit: int,
        lock_until: datetime,
    ) -> datetime | None:
        """Count one failure in a single atomic statement, unless the identifier is locked at
        ``now``: then nothing changes and the end of the lock is returned. A count whose window
        began before ``window_from``, or that a lock ended, starts again at one; the count that
        reaches ``limit`` sets the lock until ``lock_until``. None when the attempt counted."""
        ...

    def clear(self, identifier: str) -> None: ...


class SignUpCodeRepository(Protocol):
    def replace(self, *, phone: str, code: str, now: datetime, expires_at: datetime) -> None:
        """Make ``code`` the phone's one live sign-up code (any older one is gone)."""
        ...

    def use(self, *, phone: str, code: str, now: datetime, most_attempts: int) -> bool:
        """Count an attempt at the phone's live code and use the code up if it is ``code``.

        The attempt is counted in one atomic statement that also locks the code's row until
        the transaction ends, so parallel attempts take turns: no more than ``most_attempts``
        are ever compared, and a right code is used once. False when there is no live code
        (none sent, expired, used, or out of attempts) or it is not ``code``."""
        ...

    def forget(self, *, before: datetime) -> int:
        """Delete codes that expired before the moment; how many."""
        ...


class TextRepository(Protocol):
    """Text messages waiting for their job (``identity.texts``) to hand them to the gateway."""

    def add(self, *, text_id: str, phone: str, text: str, at: datetime) -> None: ...

    def get(self, text_id: str) -> tuple[str, str] | None:
        """(phone, text) of a message not sent yet; None once it is."""
        ...

    def delete(self, text_id: str) -> None: ...


class IdentityEventRepository(Protocol):
    def add(
        self,
        *,
        subject: str,
        state: IdentityState,
        at: datetime,
        channel_id: str | None,
        holder: str | None,
    ) -> None: ...

    def of(self, subject: str) -> list[tuple[IdentityState, datetime, str | None]]:
        """A person's identity changes, oldest first: (state, when, the holder it went to)."""
        ...


class SmsNotSent(DomainError):
    """The SMS gateway did not take the message (unreachable, timed out or refused it)."""


class SmsSender(Protocol):
    """Where text messages to phones leave: a gateway, or a file in the demo and tests."""

    def send(self, *, phone: str, text: str) -> None:
        """Hand one message to the gateway; ``SmsNotSent`` when it does not take it."""
        ...

    def close(self) -> None: ...


class IdentityUnitOfWork(StatusUnitOfWork, JobsUnitOfWork, Protocol):
    """What registering people, channels, logins and profiles use (registration records a first
    status; a profile read by an official is written to the access log; a text message to a
    phone is a job)."""

    @property
    def persons(self) -> PersonRepository: ...

    @property
    def channels(self) -> ChannelRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

    @property
    def officials(self) -> OfficialRepository: ...

    @property
    def accounts(self) -> AccountRepository: ...

    @property
    def throttles(self) -> ThrottleRepository: ...

    @property
    def sign_up_codes(self) -> SignUpCodeRepository: ...

    @property
    def texts(self) -> TextRepository: ...

    @property
    def identity_events(self) -> IdentityEventRepository: ...
