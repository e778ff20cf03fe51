"""The running system's parts, built once per process (or per test) by ``healthcode.bootstrap``:
settings, the database engine, the personal-data cipher, the SMS port, the clock, the tables of
proposal kinds, job kinds and event handlers, the unit of work that every use case runs in, and
the caches of parsed policies, QR images, trust stores and (with Redis) statuses, and how
peers' trust lists are fetched."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from healthcode.codes.key_files import PrivateKeyFiles
from healthcode.codes.online import TrustStoreCache
from healthcode.credentials.qr import QrSvgCache
from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.federation.arrivals_link import HttpPeerLink
from healthcode.federation.arrivals_ports import PeerLink
from healthcode.federation.fetch import HttpTrustListFetcher
from healthcode.federation.messages_http import HttpPeerPoster
from healthcode.federation.ports import TrustListFetcher
from healthcode.federation.trust import FederatedStoreCache
from healthcode.federation.visitors_ports import PeerPoster
from healthcode.identity.ports import SeenAssertionStore, SmsSender
from healthcode.jobs.model import JobKinds
from healthcode.kernel.clock import Clock, SystemClock
from healthcode.kernel.uow import EventHandlers
from healthcode.oversight.kinds import ProposalKinds
from healthcode.policies.repository import ParsedPolicyCache
from healthcode.settings import Settings
from healthcode.status.cache import NoStatusCache
from healthcode.status.ports import StatusCache


@dataclass
class Container:
    """Everything a use case needs, built once per process (or per test)."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    cipher: PersonalDataCipher
    proposal_kinds: ProposalKinds
    job_kinds: JobKinds
    events: EventHandlers
    sms: SmsSender
    clock: Clock = field(default_factory=SystemClock)
    policy_cache: ParsedPolicyCache = field(default_factory=ParsedPolicyCache)
    qr_svgs: QrSvgCache = field(default_factory=QrSvgCache)
    trust_stores: TrustStoreCache = field(default_factory=TrustStoreCache)
    status_cache: StatusCache = field(default_factory=NoStatusCache)
    seen_assertions: SeenAssertionStore | None = None  # Redis, when configured
    federated_stores: FederatedStoreCache = field(default_factory=FederatedStoreCache)
    # how peers' trust lists are fetched (a test gives a fake or an in-process app)
    peer_fetcher: Callable[[], TrustListFetcher] = HttpTrustListFetcher
    # how messages are posted to peers (visitors' exposures; a test gives an in-process app)
    peer_poster: Callable[[], PeerPoster] = HttpPeerPoster
    # how a peer is asked for an arriving visitor's colour (arrivals with consent)
    peer_link: Callable[[], PeerLink] = HttpPeerLink

    @property
    def private_keys(self) -> PrivateKeyFiles:
        return PrivateKeyFiles(self.settings.keys_dir, self.cipher)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.session_factory,
            self.cipher,
            self.policy_cache,
            self.events,
            self.status_cache,
            self.seen_assertions,
        )

    def close(self) -> None:
        self.sms.close()
        self.status_cache.close()
        if self.seen_assertions is not None:
            self.seen_assertions.close()
        self.engine.dispose()
