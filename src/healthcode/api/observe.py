"""Each request observed: an id (``X-Request-ID``), one JSON log line and its metrics.

Requests are labelled by their route template (``/api/v1/people/{subject}``), never by their
path, so that neither the metrics nor the log hold ids or names, and an unknown path is one
label (``unmatched``) however many are tried. The id is always this server's own: a caller's
header could carry anything, so it is neither trusted nor written.
"""

from __future__ import annotations

import logging
import uuid

from prometheus_client import Counter, Histogram
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from healthcode.api.metrics import Metrics
from healthcode.kernel.clock import monotonic
from healthcode.logs import FIELDS, REQUEST_ID

REQUEST_ID_HEADER = "X-Request-ID"
UNMATCHED = "unmatched"

log = logging.getLogger("healthcode.http")


def route_template(scope: Scope) -> str:
    """The template of the route that answered, or ``unmatched``."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else UNMATCHED


class RequestObserver:
    """ASGI middleware: gives each HTTP request an id, then logs and counts its answer."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        # the labelled children by (route, method, status), a bounded set: looking a child up
        # through ``labels()`` takes a lock and checks the labels on every request
        self._children: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        status = 500  # what the client gets if the app fails before answering
        started = monotonic()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status, monotonic() - started)
            REQUEST_ID.reset(token)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route, method = route_template(scope), scope["method"]
        labels = (route, method, str(status))
        children = self._children.get(labels)
        if children is None:
            children = (
                self.metrics.requests.labels(*labels),
                self.metrics.latency.labels(*labels),
            )
            self._children[labels] = children
        counted, timed = children
        counted.inc()
        timed.observe(seconds)
        fields = {
            "method": method,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
        }
        log.info("request", extra={FIELDS: fields})
