"""The ASGI app factory: composes the API and the web pages around one container."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI

from healthcode import bootstrap
from healthcode.api import health, problems, responses
from healthcode.api.body_limit import BodyLimit
from healthcode.api.metrics import Metrics
from healthcode.api.observe import RequestObserver
from healthcode.api.shedding import Admission, Limits, LoadShedder, Priority
from healthcode.container import Container
from healthcode.federation.metrics import watch_peers
from healthcode.kernel.collector import tuned_collector
from healthcode.notifications.webhooks import HttpWebhookSender
from healthcode.settings import Settings
from healthcode.web.assets import STATIC_PATH, static_files
from healthcode.worker import Worker, WorkerThread

BATCH_ROUTES = (("POST", "/api/v1/scans/batches"), ("POST", "/api/v1/locations/batches"))
"""Routes whose bodies may reach ``max_batch_body_bytes`` (up to 5,000 scans, or a telecom's
pings); every other body is held to ``max_body_bytes``."""


def create_app(settings: Settings | None = None, *, container: Container | None = None) -> FastAPI:
    """Build the app. The container is built in the lifespan, not at import; tests may pass one."""
    settings = container.settings if container is not None else settings or Settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = container is None
        # the routes' blocking work runs in this many threads (docs/operations.md#overload)
        to_thread.current_default_thread_limiter().total_tokens = settings.api_threads
        app.state.container = container or bootstrap.build(settings)
        unwatch = metrics.watch_queue(app.state.container.uow, app.state.container.clock)
        unwatch_cache = metrics.watch_status_cache(app.state.container.status_cache.outcomes)
        unwatch_appeals = metrics.watch_appeals(app.state.container.uow, app.state.container.clock)
        unwatch_peers = watch_peers(
            metrics.registry, app.state.container.uow, app.state.container.clock
        )
        # the embedded deployment (SQLite) runs its background worker in this process
        app.state.worker = None
        if owned and app.state.container.settings.runs_in_process_worker:
            built = app.state.container
            sender = HttpWebhookSender()
            app.state.worker = WorkerThread(
                Worker(
                    uow_factory=built.uow,
                    clock=built.clock,
                    kinds=bootstrap.job_kinds(sender, built.sms, bootstrap.peer_messenger(built)),
                    anchor=bootstrap.anchor_publisher(built),
                    peer_sync=bootstrap.peer_syncer(built),
                )
            )
            app.state.worker.start()
        # a served process (not a test handing in its container) is built: tune the collector
        with tuned_collector(settings.gc_young_threshold if owned else 0):
            try:
                yield
            finally:
                unwatch()
                unwatch_cache()
                unwatch_appeals()
                unwatch_peers()
                if app.state.worker is not None:
                    app.state.worker.stop()
                    sender.close()
                if owned:
                    app.state.container.close()

    app = FastAPI(
        title="healthcode",
        version="0.1.0",
        summary="Health codes with reasons, signed codes verified offline, audited data access.",
        lifespan=lifespan,
        # /docs is the web face's own page, its Swagger UI served from the package (offline)
        docs_url=None,
        redoc_url=None,
    )
    app.state.metrics = metrics
    problems.install(app)
    responses.install(app)
    app.add_middleware(
        BodyLimit,
        default=settings.max_body_bytes,
        larger=dict.fromkeys(BATCH_ROUTES, settings.max_batch_body_bytes),
    )
    # outside the body limit: it sees every answer, refusals of the body limit included
    app.add_middleware(RequestObserver, metrics=metrics)
    if settings.overload_shedding:
        # added last, so outermost: a request refused under overload costs as little as can
        # be (counted on /metrics, not logged one line each) and nothing of it is read
        app.state.admission = admission(settings, metrics)
        app.add_middleware(LoadShedder, admission=app.state.admission, on_shed=count_shed(metrics))
    for router in bootstrap.ROUTERS:
        app.include_router(router)
    app.include_router(health.router)
    app.mount(STATIC_PATH, static_files(), name="static")
    return app


def admission(settings: Settings, metrics: Metrics) -> Admission:
    """This process's admission of requests under ``settings``' limits, shown on ``/metrics``."""
    admitted = Admission(
        Limits(
            max_in_flight=settings.overload_max_in_flight,
            low_in_flight=settings.overload_low_in_flight,
            queue_seconds=settings.overload_queue_seconds,
            retry_after_seconds=settings.overload_retry_after_seconds,
            critical_target_seconds=settings.overload_critical_target_seconds,
        )
    )
    metrics.in_flight.set_function(lambda: admitted.in_flight)
    metrics.low_limit.set_function(lambda: admitted.low_limit)
    return admitted


def count_shed(metrics: Metrics) -> Callable[[Priority], None]:
    """Count each refused request on ``/metrics`` by its priority (both shown from zero)."""
    for priority in (Priority.LOW, Priority.CRITICAL):
        metrics.shed.labels(priority.value)
    return lambda priority: metrics.shed.labels(priority.value).inc()
