"""The unit of work: one session, one transaction, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from healthcode.codes.repository import SqlKeyRepository
from healthcode.identity.encryption import PersonalDataCipher
from healthcode.identity.repository import (
    SqlAccountRepository,
    SqlChannelRepository,
    SqlOfficialRepository,
    SqlPersonRepository,
    SqlSessionRepository,
    SqlThrottleRepository,
)
from healthcode.jobs.repository import SqlJobRepository
from healthcode.notifications.repository import SqlOutboxRepository
from healthcode.oversight.repository import SqlAuditLogRepository, SqlProposalRepository
from healthcode.policies.repository import ParsedPolicyCache, SqlPolicyRepository
from healthcode.presence.repository.presences import SqlPresenceRepository
from healthcode.presence.repository.retention import SqlRetentionRepository
from healthcode.presence.repository.venues import SqlBoundaryRepository, SqlVenueRepository
from healthcode.status.repository import (
    SqlFactRepository,
    SqlStatusBatchRepository,
    SqlStatusRepository,
)
from healthcode.tracing.repository import (
    SqlCaseRepository,
    SqlRiskAreaRepository,
    SqlTracingRepository,
)


class SqlUnitOfWork:
    persons: SqlPersonRepository
    facts: SqlFactRepository
    channels: SqlChannelRepository
    sessions: SqlSessionRepository
    officials: SqlOfficialRepository
    accounts: SqlAccountRepository
    throttles: SqlThrottleRepository
    proposals: SqlProposalRepository
    audit: SqlAuditLogRepository
    outbox: SqlOutboxRepository
    policies: SqlPolicyRepository
    statuses: SqlStatusRepository
    keys: SqlKeyRepository
    venues: SqlVenueRepository
    presences: SqlPresenceRepository
    boundaries: SqlBoundaryRepository
    tracing: SqlTracingRepository
    cases: SqlCaseRepository
    risk_areas: SqlRiskAreaRepository
    jobs: SqlJobRepository
    status_batch: SqlStatusBatchRepository
    retention: SqlRetentionRepository

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        cipher: PersonalDataCipher,
        policy_cache: ParsedPolicyCache,
    ) -> None:
        self._session_factory = session_factory
        self._cipher = cipher
        self._policy_cache = policy_cache
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._session

    def __enter__(self) -> Self:
        self._session = self._session_factory()
        self.persons = SqlPersonRepository(self._session, self._cipher)
        self.facts = SqlFactRepository(self._session)
        self.channels = SqlChannelRepository(self._session, self._cipher)
        self.sessions = SqlSessionRepository(self._session)
        self.officials = SqlOfficialRepository(self._session, self._cipher)
        self.accounts = SqlAccountRepository(self._session, self._cipher)
        self.throttles = SqlThrottleRepository(self._session, self._cipher)
        self.proposals = SqlProposalRepository(self._session)
        self.audit = SqlAuditLogRepository(self._session, self._cipher)
        self.outbox = SqlOutboxRepository(self._session)
        self.policies = SqlPolicyRepository(self._session, self._policy_cache)
        self.statuses = SqlStatusRepository(self._session)
        self.keys = SqlKeyRepository(self._session)
        self.venues = SqlVenueRepository(self._session)
        self.presences = SqlPresenceRepository(self._session)
        self.boundaries = SqlBoundaryRepository(self._session)
        self.tracing = SqlTracingRepository(self._session)
        self.cases = SqlCaseRepository(self._session)
        self.risk_areas = SqlRiskAreaRepository(self._session)
        self.jobs = SqlJobRepository(self._session)
        self.status_batch = SqlStatusBatchRepository(self._session)
        self.retention = SqlRetentionRepository(self._session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self.session.close()
            self._session = None

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
