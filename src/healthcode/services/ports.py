"""The interfaces services need from the outside world; adapters implement them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from healthcode.domain.facts import Colour, Fact, FactKind
from healthcode.domain.person import Consent, Person
from healthcode.domain.status import Status
from healthcode.policy.model import Policy
from healthcode.services.access_ports import (
    AccountRepository,
    AuditLogRepository,
    ChannelRepository,
    OfficialRepository,
    OutboxRepository,
    ProposalRepository,
    SessionRepository,
    ThrottleRepository,
)
from healthcode.services.presence_ports import (
    BoundaryRepository,
    PresenceRepository,
    RetentionRepository,
    VenueRepository,
)
from healthcode.services.tracing_ports import (
    CaseRepository,
    JobRepository,
    RiskAreaRepository,
    StatusBatchRepository,
    TracingRepository,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class PersonRepository(Protocol):
    def add(self, person: Person) -> None: ...

    def get(self, subject: str) -> Person | None: ...

    def subject_for_id_number(
        self, *, jurisdiction: str, id_type: str, id_number: str
    ) -> str | None: ...

    def add_consent(self, subject: str, consent: Consent) -> None: ...

    def consents(self, subject: str) -> list[Consent]: ...

    def subjects(self) -> list[str]: ...

    def jurisdiction_of(self, subject: str) -> str | None: ...

    def district_of(self, subject: str) -> str | None: ...

    def iter_subjects(self, *, jurisdiction: str, batch_size: int) -> Iterator[list[str]]:
        """Every registered subject of the jurisdiction, in batches."""
        ...


class FactRepository(Protocol):
    def add(self, fact: Fact) -> None: ...

    def for_subject(
        self, subject: str, *, kinds: Iterable[FactKind] | None = None
    ) -> Sequence[Fact]: ...

    def by_subject(self, subjects: Sequence[str]) -> Mapping[str, list[Fact]]:
        """Every fact of each of ``subjects`` (few queries, for bulk work)."""
        ...


@dataclass(frozen=True, kw_only=True)
class ActivatedPolicy:
    jurisdiction: str
    version: str
    sha256: str
    activated_at: datetime
    activated_by: str
    approved_by: str | None


class PolicyRepository(Protocol):
    def active(self, jurisdiction: str) -> Policy:
        """The last activated policy of the jurisdiction, else the bundled one."""
        ...

    def parse(self, source: str) -> Policy:
        """Validate and parse a policy source (parsed policies are cached by content)."""
        ...

    def add(
        self,
        *,
        source: str,
        policy: Policy,
        activated_at: datetime,
        activated_by: str,
        approved_by: str | None,
    ) -> None: ...

    def history(self, jurisdiction: str) -> list[ActivatedPolicy]: ...


@dataclass(frozen=True, kw_only=True)
class StatusChange:
    """A change of colour: when it took effect, from what to what, why and under which policy."""

    id: int | None
    subject: str
    at: datetime
    recorded_at: datetime
    colour_from: Colour | None
    colour_to: Colour
    cause: str
    status: Status


class StatusRepository(Protocol):
    def current(self, subject: str) -> Status | None: ...

    def save_current(self, status: Status) -> None: ...

    def add_change(self, change: StatusChange) -> StatusChange: ...

    def changes(self, subject: str) -> list[StatusChange]: ...

    def due(self, now: datetime, *, limit: int) -> list[str]:
        """Subjects whose cached status stops holding at or before ``now``, soonest first."""
        ...


@dataclass(frozen=True, kw_only=True)
class KeyRecord:
    """The public half of a key and the period it may sign in: [valid_from, valid_until)."""

    kid: str
    jurisdiction: str
    role: str  # root | signing
    public_key: bytes
    created_at: datetime
    valid_from: datetime
    valid_until: datetime


@dataclass(frozen=True, kw_only=True)
class Publication:
    sequence: int
    jurisdiction: str
    content_sha256: str
    issued_at: datetime
    document: str


class KeyRepository(Protocol):
    def add(self, key: KeyRecord) -> None: ...

    def all(self, jurisdiction: str, *, role: str | None = None) -> list[KeyRecord]: ...

    def end_validity(self, kid: str, at: datetime) -> None: ...

    def last_publication(self, jurisdiction: str) -> Publication | None: ...

    def add_publication(self, publication: Publication) -> None: ...


class UnitOfWork(Protocol):
    """One use case's transaction: rolled back on exit unless ``commit`` was called."""

    @property
    def persons(self) -> PersonRepository: ...

    @property
    def facts(self) -> FactRepository: ...

    @property
    def policies(self) -> PolicyRepository: ...

    @property
    def statuses(self) -> StatusRepository: ...

    @property
    def keys(self) -> KeyRepository: ...

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
    def proposals(self) -> ProposalRepository: ...

    @property
    def audit(self) -> AuditLogRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def venues(self) -> VenueRepository: ...

    @property
    def presences(self) -> PresenceRepository: ...

    @property
    def boundaries(self) -> BoundaryRepository: ...

    @property
    def tracing(self) -> TracingRepository: ...

    @property
    def cases(self) -> CaseRepository: ...

    @property
    def risk_areas(self) -> RiskAreaRepository: ...

    @property
    def jobs(self) -> JobRepository: ...

    @property
    def status_batch(self) -> StatusBatchRepository: ...

    @property
    def retention(self) -> RetentionRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
