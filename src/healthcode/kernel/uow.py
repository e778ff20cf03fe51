"""The unit of work: one use case's transaction (temporary: every repository in one place)."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from healthcode.codes.ports import KeyRepository
from healthcode.identity.ports import (
    AccountRepository,
    ChannelRepository,
    OfficialRepository,
    PersonRepository,
    SessionRepository,
    ThrottleRepository,
)
from healthcode.jobs.ports import JobRepository
from healthcode.notifications.ports import OutboxRepository
from healthcode.oversight.ports import AuditLogRepository, ProposalRepository
from healthcode.policies.ports import PolicyRepository
from healthcode.presence.ports import (
    BoundaryRepository,
    PresenceRepository,
    RetentionRepository,
    VenueRepository,
)
from healthcode.status.ports import FactRepository, StatusBatchRepository, StatusRepository
from healthcode.tracing.ports import CaseRepository, RiskAreaRepository, TracingRepository


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
