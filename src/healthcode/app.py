"""The ASGI app factory: composes the API and the web pages around one container."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from healthcode import bootstrap
from healthcode.api import health, problems, responses
from healthcode.api.body_limit import BodyLimit
from healthcode.api.metrics import Metrics
from healthcode.api.observe import RequestObserver
from healthcode.container import Container
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
        app.state.container = container or bootstrap.build(settings)
        unwatch = metrics.watch_queue(app.state.container.uow, app.state.container.clock)
        unwatch_cache = metrics.watch_status_cache(app.state.container.status_cache.outcomes)
        unwatch_appeals = metrics.watch_appeals(app.state.container.uow, app.state.container.clock)
        # the embedded deployment (SQLite) runs its background worker in this process
        app.state.worker = None
        if owned and app.state.container.settings.runs_in_process_worker:
            built = app.state.container
            sender = HttpWebhookSender()
            app.state.worker = WorkerThread(
                Worker(
                    uow_factory=built.uow,
                    clock=built.clock,
                    kinds=bootstrap.job_kinds(sender, built.sms),
                    anchor=bootstrap.anchor_publisher(built),
                )
            )
            app.state.worker.start()
        try:
            yield
        finally:
            unwatch()
            unwatch_cache()
            unwatch_appeals()
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
    # added last, so outermost: it sees every answer, refusals of the body limit included
    app.add_middleware(RequestObserver, metrics=metrics)
    for router in bootstrap.ROUTERS:
        app.include_router(router)
    app.include_router(health.router)
    app.mount(STATIC_PATH, static_files(), name="static")
    return app
