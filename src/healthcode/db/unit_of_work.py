"""The unit of work on SQLAlchemy: one session, one transaction, rolled back unless committed.

It offers every feature's repositories (each built on first use within the transaction, so a
use case pays only for what it touches) and so satisfies every feature's unit-of-work protocol.
Events published during the transaction go to their handlers when it commits, just before the
database commit, in the same transaction; then the before-commit hooks run, the database
commits, and the after-commit hooks run (a rollback drops the hooks unrun).
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from healthcode.appeals.repository import SqlAppealRepository
from healthcode.codes.repository import SqlKeyRepository
from healthcode.db.encryption import PersonalDataCipher
from healthcode.federation.arrivals_repository import SqlArrivalRepository
from healthcode.federation.repository import SqlPeerRepository
from healthcode.federation.visitors_repository import SqlVisitorRepository
from healthcode.identity.ports import SeenAssertionStore
from healthcode.identity.repository.channels import SqlChannelRepository
from healthcode.identity.repository.logins import (
    SqlAccountRepository,
    SqlOfficialRepository,
    SqlSessionRepository,
    SqlThrottleRepository,
)
from healthcode.identity.repository.people import SqlPersonRepository
from healthcode.identity.repository.sign_ups import (
    SqlIdentityEventRepository,
    SqlSignUpCodeRepository,
    SqlTextRepository,
)
from healthcode.jobs.repository import SqlJobRepository
from healthcode.kernel.uow import EventHandlers
from healthcode.oversight.repository import (
    SqlAuditLogRepository,
    SqlBreakGlassRepository,
    SqlProposalRepository,
)
from healthcode.oversight.repository.instance import SqlInstanceStateRepository
from healthcode.policies.repository import ParsedPolicyCache, SqlPolicyRepository
from healthcode.presence.repository.presences import SqlPresenceRepository
from healthcode.presence.repository.retention import SqlRetentionRepository
from healthcode.presence.repository.venues import SqlBoundaryRepository, SqlVenueRepository
from healthcode.rights.repository import SqlClosingRepository
from healthcode.status.cache import NoStatusCache, TransactionStatusCache
from healthcode.status.ports import StatusCache
from healthcode.status.repository import (
    SqlFactRepository,
    SqlStatusBatchRepository,
    SqlStatusRepository,
)
from healthcode.sunset.repository import SqlSunsetRepository
from healthcode.tracing.repository import SqlTracingRepository
from healthcode.tracing.repository.cases import SqlCaseRepository, SqlRiskAreaRepository
from healthcode.transparency.repository import SqlTransparencyRepository
from healthcode.transparency.repository.dashboard import SqlDashboardRepository

R = TypeVar("R")


class SqlUnitOfWork:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        cipher: PersonalDataCipher,
        policy_cache: ParsedPolicyCache,
        events: EventHandlers,
        status_cache: StatusCache | None = None,
        seen_assertions: SeenAssertionStore | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._cipher = cipher
        self._policy_cache = policy_cache
        self._events = events
        self._session: Session | None = None
        self._repositories: dict[str, Any] = {}
        self._published: list[object] = []
        self._status_cache: StatusCache = status_cache or NoStatusCache()
        self._seen_assertions = seen_assertions
        self._before_commit: list[Callable[[], None]] = []
        self._after_commit: list[Callable[[], None]] = []

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._session

    def _repository(self, name: str, build: Callable[[Session], R]) -> R:
        """The transaction's repository ``name``, built on first use."""
        found = self._repositories.get(name)
        if found is None:
            found = self._repositories[name] = build(self.session)
        return found

    # identity
    @property
    def persons(self) -> SqlPersonRepository:
        return self._repository("persons", lambda s: SqlPersonRepository(s, self._cipher))

    @property
    def channels(self) -> SqlChannelRepository:
        return self._repository(
            "channels", lambda s: SqlChannelRepository(s, self._cipher, self._seen_assertions)
        )

    @property
    def sessions(self) -> SqlSessionRepository:
        return self._repository("sessions", SqlSessionRepository)

    @property
    def officials(self) -> SqlOfficialRepository:
        return self._repository("officials", lambda s: SqlOfficialRepository(s, self._cipher))

    @property
    def accounts(self) -> SqlAccountRepository:
        return self._repository("accounts", lambda s: SqlAccountRepository(s, self._cipher))

    @property
    def throttles(self) -> SqlThrottleRepository:
        return self._repository("throttles", lambda s: SqlThrottleRepository(s, self._cipher))

    @property
    def sign_up_codes(self) -> SqlSignUpCodeRepository:
        return self._repository("sign_up_codes", lambda s: SqlSignUpCodeRepository(s, self._cipher))

    @property
    def texts(self) -> SqlTextRepository:
        return self._repository("texts", lambda s: SqlTextRepository(s, self._cipher))

    @property
    def identity_events(self) -> SqlIdentityEventRepository:
        return self._repository("identity_events", SqlIdentityEventRepository)

    # oversight
    @property
    def proposals(self) -> SqlProposalRepository:
        return self._repository("proposals", lambda s: SqlProposalRepository(s, self._cipher))

    @property
    def audit(self) -> SqlAuditLogRepository:
        return self._repository("audit", lambda s: SqlAuditLogRepository(s, self._cipher))

    @property
    def break_glass(self) -> SqlBreakGlassRepository:
        return self._repository("break_glass", lambda s: SqlBreakGlassRepository(s, self._cipher))

    # status and policies
    @property
    def facts(self) -> SqlFactRepository:
        return self._repository("facts", lambda s: SqlFactRepository(s, self._cipher))

    @property
    def statuses(self) -> SqlStatusRepository:
        return self._repository("statuses", lambda s: SqlStatusRepository(s, self._cipher))

    @property
    def status_batch(self) -> SqlStatusBatchRepository:
        return self._repository("status_batch", lambda s: SqlStatusBatchRepository(s, self._cipher))

    @property
    def status_cache(self) -> TransactionStatusCache:
        return self._repository(
            "status_cache",
            lambda _: TransactionStatusCache(
                self._status_cache, before_commit=self.before_commit, after_commit=self.after_commit
            ),
        )

    @property
    def policies(self) -> SqlPolicyRepository:
        return self._repository("policies", lambda s: SqlPolicyRepository(s, self._policy_cache))

    # codes
    @property
    def keys(self) -> SqlKeyRepository:
        return self._repository("keys", SqlKeyRepository)

    # federation
    @property
    def peers(self) -> SqlPeerRepository:
        return self._repository("peers", SqlPeerRepository)

    @property
    def visitors(self) -> SqlVisitorRepository:
        return self._repository("visitors", SqlVisitorRepository)

    @property
    def arrivals(self) -> SqlArrivalRepository:
        return self._repository("arrivals", SqlArrivalRepository)

    # presence
    @property
    def venues(self) -> SqlVenueRepository:
        return self._repository("venues", SqlVenueRepository)

    @property
    def presences(self) -> SqlPresenceRepository:
        return self._repository("presences", lambda s: SqlPresenceRepository(s, self._cipher))

    @property
    def boundaries(self) -> SqlBoundaryRepository:
        return self._repository("boundaries", SqlBoundaryRepository)

    @property
    def retention(self) -> SqlRetentionRepository:
        return self._repository("retention", SqlRetentionRepository)

    # tracing
    @property
    def tracing(self) -> SqlTracingRepository:
        return self._repository("tracing", lambda s: SqlTracingRepository(s, self._cipher))

    @property
    def cases(self) -> SqlCaseRepository:
        return self._repository("cases", lambda s: SqlCaseRepository(s, self._cipher))

    @property
    def risk_areas(self) -> SqlRiskAreaRepository:
        return self._repository("risk_areas", SqlRiskAreaRepository)

    @property
    def instance(self) -> SqlInstanceStateRepository:
        return self._repository("instance", SqlInstanceStateRepository)

    # appeals
    @property
    def appeals(self) -> SqlAppealRepository:
        return self._repository("appeals", lambda s: SqlAppealRepository(s, self._cipher))

    @property
    def closing(self) -> SqlClosingRepository:
        return self._repository("closing", lambda s: SqlClosingRepository(s, self._cipher))

    # the transparency report
    @property
    def transparency(self) -> SqlTransparencyRepository:
        return self._repository("transparency", SqlTransparencyRepository)

    # the console's dashboard and map
    @property
    def dashboard(self) -> SqlDashboardRepository:
        return self._repository("dashboard", SqlDashboardRepository)

    # the sunset's purge
    @property
    def sunset(self) -> SqlSunsetRepository:
        return self._repository("sunset", lambda s: SqlSunsetRepository(s, self._cipher))

    # jobs
    @property
    def jobs(self) -> SqlJobRepository:
        return self._repository("jobs", SqlJobRepository)

    def __enter__(self) -> Self:
        self._session = self._session_factory()
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
            self._repositories.clear()

    def publish(self, event: object) -> None:
        self._published.append(event)

    def before_commit(self, hook: Callable[[], None]) -> None:
        self._before_commit.append(hook)

    def after_commit(self, hook: Callable[[], None]) -> None:
        self._after_commit.append(hook)

    def commit(self) -> None:
        self._events.dispatch(self, self._published)
        for hook in self._before_commit:
            hook()
        self._before_commit.clear()
        self.session.commit()
        # what the status cache's view knows this transaction saved is committed now
        self._repositories.pop("status_cache", None)
        after, self._after_commit = self._after_commit, []
        for hook in after:
            hook()

    def rollback(self) -> None:
        self._published.clear()
        self._before_commit.clear()
        self._after_commit.clear()
        self._repositories.pop("status_cache", None)
        self.session.rollback()
