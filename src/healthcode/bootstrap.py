"""The one place that builds the running system from settings, and the tables that wire the
features together: the API's routers, the CLI's commands, the kinds of four-eyes proposal, the
kinds of background job and who handles which event. Nothing registers itself on import: what
is not listed here does not run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter

from healthcode.appeals import commands as appeals_commands
from healthcode.appeals import routes as appeals_routes
from healthcode.appeals.kinds import ANSWER_APPEAL_KIND
from healthcode.cli.table import CommandTable
from healthcode.codes import commands as codes_commands
from healthcode.codes import routes as codes_routes
from healthcode.codes.audit_anchor import publish_anchor
from healthcode.codes.keys import NoSigningKey
from healthcode.container import Container
from healthcode.db.encryption import PersonalDataCipher, create_key_file, read_key_file
from healthcode.db.engine import build_engine, build_session_factory
from healthcode.db.migrate import SchemaOutOfDate, check_collation, check_current, upgrade
from healthcode.db.private_files import require_private, require_private_folder
from healthcode.federation import commands as federation_commands
from healthcode.federation import routes as federation_routes
from healthcode.federation.peer_kinds import PEER_HANDLERS
from healthcode.federation.sync import sync_all
from healthcode.federation.visitors import peer_message_kind
from healthcode.identity import commands as identity_commands
from healthcode.identity import routes as identity_routes
from healthcode.identity.kinds import ACCOUNT_HANDLERS
from healthcode.identity.ports import SeenAssertionStore, SmsSender
from healthcode.identity.seen_assertions import RedisSeenAssertions
from healthcode.identity.sms import HttpSmsGateway, SmsFile
from healthcode.identity.texts import text_kind
from healthcode.jobs.model import JobKind, JobKinds
from healthcode.kernel.clock import Clock, FixedClock, SystemClock
from healthcode.kernel.uow import EventHandler, EventHandlers
from healthcode.notifications import commands as notifications_commands
from healthcode.notifications.delivery import webhook_kind
from healthcode.notifications.model import WebhookSender
from healthcode.notifications.status_changes import queue_status_changes
from healthcode.oversight import commands as oversight_commands
from healthcode.oversight import routes as oversight_routes
from healthcode.oversight.kinds import ProposalHandler, ProposalKinds
from healthcode.policies import commands as policies_commands
from healthcode.policies import routes as policies_routes
from healthcode.policies.model import PolicyActivated
from healthcode.policies.sweep import REASSESS_JURISDICTION_JOB, queue_reassessment
from healthcode.policies.versions import ACTIVATE_POLICY, activate_policy_kind
from healthcode.presence import commands as presence_commands
from healthcode.presence import routes as presence_routes
from healthcode.rights import routes as rights_routes
from healthcode.settings import Settings
from healthcode.simulator import commands as simulator_commands
from healthcode.simulator import routes as simulator_routes
from healthcode.status import commands as status_commands
from healthcode.status import routes as status_routes
from healthcode.status.cache import NoStatusCache
from healthcode.status.model import StatusChanged
from healthcode.status.overrides import OVERRIDE_COLOUR, RELEASE
from healthcode.status.ports import StatusCache
from healthcode.status.redis_cache import RedisStatusCache
from healthcode.status.test_results import RECORD_TEST_RESULT
from healthcode.sunset import commands as sunset_commands
from healthcode.sunset import routes as sunset_routes
from healthcode.sunset.kinds import SUNSET_HANDLERS
from healthcode.tracing import commands as tracing_commands
from healthcode.tracing import routes as tracing_routes
from healthcode.tracing.kinds import TRACING_HANDLERS
from healthcode.tracing.risk_areas import SCAN_RISK_AREA_JOB
from healthcode.tracing.trace import TRACE_CASE_JOB
from healthcode.transparency import commands as transparency_commands
from healthcode.transparency import routes as transparency_routes
from healthcode.web import routes as web_routes

ROUTERS: tuple[APIRouter, ...] = (
    identity_routes.router,
    status_routes.router,
    codes_routes.router,
    policies_routes.router,
    oversight_routes.router,
    presence_routes.router,
    tracing_routes.router,
    appeals_routes.router,
    rights_routes.router,
    transparency_routes.router,
    sunset_routes.router,
    federation_routes.router,
    simulator_routes.router,
    web_routes.router,
)
"""Everything the HTTP API serves, feature by feature, and the web pages (``web``)."""

COMMANDS: CommandTable = (
    *identity_commands.COMMANDS,
    *status_commands.COMMANDS,
    *policies_commands.COMMANDS,
    *codes_commands.COMMANDS,
    *oversight_commands.COMMANDS,
    *notifications_commands.COMMANDS,
    *presence_commands.COMMANDS,
    *tracing_commands.COMMANDS,
    *appeals_commands.COMMANDS,
    *transparency_commands.COMMANDS,
    *simulator_commands.COMMANDS,
    *sunset_commands.COMMANDS,
    *federation_commands.COMMANDS,
)
"""Every `healthcode` command group and command a feature offers."""

PROPOSAL_KINDS: tuple[ProposalHandler[Any], ...] = (
    OVERRIDE_COLOUR,
    RELEASE,
    ACTIVATE_POLICY,
    RECORD_TEST_RESULT,
    *TRACING_HANDLERS,
    *ACCOUNT_HANDLERS,
    ANSWER_APPEAL_KIND,
    *SUNSET_HANDLERS,
    *PEER_HANDLERS,
)
"""The kinds of four-eyes proposal: what each needs to be proposed, approved, and what it does."""


JOB_KINDS: tuple[JobKind, ...] = (TRACE_CASE_JOB, SCAN_RISK_AREA_JOB, REASSESS_JURISDICTION_JOB)
"""The kinds of background job every worker runs (with webhook delivery, see ``job_kinds``)."""

EVENT_HANDLERS: tuple[tuple[type, tuple[EventHandler, ...]], ...] = (
    (StatusChanged, (queue_status_changes,)),
    (PolicyActivated, (queue_reassessment,)),
)
"""Who hears of what, inside the transaction that published it: a change of colour queues the
webhooks to the person's channels; a policy activated queues the reassessment of its
jurisdiction."""


def proposal_kinds(settings: Settings) -> ProposalKinds:
    """``PROPOSAL_KINDS``, a proposed policy checked within ``settings.policy_check_seconds``."""
    activate = activate_policy_kind(settings.policy_check_budget)
    return ProposalKinds(activate if h is ACTIVATE_POLICY else h for h in PROPOSAL_KINDS)


def job_kinds(
    sender: WebhookSender | None = None,
    sms: SmsSender | None = None,
    peers: JobKind | None = None,
) -> JobKinds:
    """The kinds of job a worker runs: ``JOB_KINDS``, delivering webhooks through ``sender``
    and text messages through ``sms`` when it has them, and messages to peer cities with
    ``peers`` (``peer_messenger``) (a worker without one leaves those jobs queued for one
    that has)."""
    return JobKinds(
        [
            *JOB_KINDS,
            *([] if sender is None else [webhook_kind(sender)]),
            *([] if sms is None else [text_kind(sms)]),
            *([] if peers is None else [peers]),
        ]
    )


def peer_messenger(container: Container) -> JobKind:
    """The job kind that signs messages to peers (visitors' exposures) with this city's root
    and posts them through the container's ``peer_poster`` (read at each delivery)."""
    return peer_message_kind(
        poster=lambda: container.peer_poster(),
        private_keys=container.private_keys,
        jurisdiction=container.settings.jurisdiction,
    )


def anchor_publisher(container: Container) -> Callable[[], Path | None]:
    """What the worker calls to publish the access log's signed anchor to the settings'
    ``audit_anchor_dir`` (nothing while the jurisdiction has no keys yet)."""

    def publish() -> Path | None:
        try:
            return publish_anchor(
                uow=container.uow(),
                clock=container.clock,
                private_keys=container.private_keys,
                jurisdiction=container.settings.jurisdiction,
                folder=container.settings.audit_anchor_dir,
            )
        except NoSigningKey:
            return None

    return publish


def peer_syncer(container: Container) -> Callable[[], object]:
    """What the worker calls on its schedule to fetch every peer's trust list (each fetched
    and recorded on its own; a peer down or refused keeps its last good list)."""

    def sync() -> object:
        fetcher = container.peer_fetcher()
        try:
            return sync_all(
                uow_factory=container.uow,
                clock=container.clock,
                fetcher=fetcher,
                clock_skew=container.settings.clock_skew,
            )
        finally:
            fetcher.close()

    return sync


def require_private_secrets(settings: Settings) -> None:
    """Refuse to start when the group or others may read the data key file, the keys folder
    or a key in it (``ExposedSecret`` names the path and its mode)."""
    require_private(settings.data_key_file, what="data key file")
    require_private_folder(settings.keys_dir, what="keys folder")


def initialise(settings: Settings) -> list[str]:
    """Create or migrate the database and create the data key if there is none.

    Returns what was done, in words. Never overwrites an existing key. The database is
    reached first: a database that cannot be opened leaves no key behind."""
    done: list[str] = []
    require_private_secrets(settings)
    engine = build_engine(settings.database_url, wal_limit=settings.sqlite_wal_limit_bytes)
    try:
        check_collation(engine)
        if not settings.data_key_file.exists():
            create_key_file(settings.data_key_file)
            done.append(f"created data key {settings.data_key_file}")
        else:
            done.append(f"kept existing data key {settings.data_key_file}")
        # migrations that encrypt stored text need the key
        upgrade(engine, cipher=PersonalDataCipher(read_key_file(settings.data_key_file)))
    finally:
        engine.dispose()
    done.append("database schema is up to date")
    return done


def sms_sender(settings: Settings) -> SmsSender:
    """The gateway of ``settings.sms_gateway_url``, or without one the file ``sms_file``."""
    if settings.sms_gateway_url:
        return HttpSmsGateway(settings.sms_gateway_url, token=settings.sms_gateway_token)
    return SmsFile(settings.sms_file)


def status_cache(settings: Settings, *, cipher: PersonalDataCipher, clock: Clock) -> StatusCache:
    """The Redis status cache of ``settings.redis_url``, or without one the cache of nothing
    (Redis is reached on first use: a Redis down at start only makes every read a miss)."""
    if not settings.redis_url:
        return NoStatusCache()
    return RedisStatusCache.from_url(
        settings.redis_url,
        cipher=cipher,
        clock=clock,
        max_age=timedelta(seconds=settings.status_cache_seconds),
    )


def seen_assertions(settings: Settings, *, clock: Clock) -> SeenAssertionStore | None:
    """Used channel-assertion ids in the Redis of ``settings.redis_url``, or without one None
    (the database table keeps them; it also answers while Redis does not)."""
    if not settings.redis_url:
        return None
    return RedisSeenAssertions.from_url(settings.redis_url, clock=clock)


def settings_clock(settings: Settings) -> Clock:
    """The clock the settings give every process: the real one, or in a test or demonstration
    the time ``fixed_clock_at`` names (so separate API and worker processes agree)."""
    if settings.fixed_clock_at is not None:
        return FixedClock(settings.fixed_clock_at)
    return SystemClock()


def build(
    settings: Settings, *, clock_factory: Callable[[], Clock] | None = None, scratch: bool = False
) -> Container:
    """Build the system for an initialised database and key (see ``initialise``); secrets
    that others may read are refused (``ExposedSecret``) before anything is opened. The
    clock is ``clock_factory``'s, or without one the settings' (``settings_clock``).
    ``scratch``: the database is a simulated run's, thrown away after it (``build_engine``:
    SQLite commits not synced); never the configured one."""
    require_private_secrets(settings)
    engine = build_engine(
        settings.database_url, wal_limit=settings.sqlite_wal_limit_bytes, scratch=scratch
    )
    try:
        check_current(engine)
    except SchemaOutOfDate:
        engine.dispose()
        raise
    sms = sms_sender(settings)
    cipher = PersonalDataCipher(read_key_file(settings.data_key_file))
    clock = settings_clock(settings) if clock_factory is None else clock_factory()
    container = Container(
        settings=settings,
        engine=engine,
        session_factory=build_session_factory(engine),
        cipher=cipher,
        proposal_kinds=proposal_kinds(settings),
        job_kinds=job_kinds(sms=sms),
        events=EventHandlers(EVENT_HANDLERS),
        sms=sms,
        clock=clock,
        status_cache=status_cache(settings, cipher=cipher, clock=clock),
        seen_assertions=seen_assertions(settings, clock=clock),
    )
    container.job_kinds = job_kinds(sms=sms, peers=peer_messenger(container))
    return container
