"""The ASGI app factory: composes the API (and later the web pages) around one container."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from healthcode import bootstrap
from healthcode.api import problems, responses
from healthcode.container import Container
from healthcode.notifications.webhooks import HttpWebhookSender
from healthcode.settings import Settings
from healthcode.worker import Worker, WorkerThread


def create_app(settings: Settings | None = None, *, container: Container | None = None) -> FastAPI:
    """Build the app. The container is built in the lifespan, not at import; tests may pass one."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = container is None
        app.state.container = container or bootstrap.build(settings or Settings())
        # the embedded deployment (SQLite) runs its background worker in this process
        app.state.worker = None
        if owned and app.state.container.settings.runs_in_process_worker:
            built = app.state.container
            sender = HttpWebhookSender()
            app.state.worker = WorkerThread(
                Worker(uow_factory=built.uow, clock=built.clock, kinds=bootstrap.job_kinds(sender))
            )
            app.state.worker.start()
        try:
            yield
        finally:
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
    )
    problems.install(app)
    responses.install(app)
    for router in bootstrap.ROUTERS:
        app.include_router(router)
    return app
