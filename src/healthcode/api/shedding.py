"""Load shedding: under overload, code display and verification go on; the rest waits its turn.

Each request is given a priority by its method and path (``PRIORITIES``, a small explicit table),
before anything else runs:

- **critical**: showing a code (``GET /api/v1/me/code``), checking one online
  (``POST /api/v1/verify``), the citizen's status and the trust list and bundle verifiers
  download. Admitted while fewer than ``overload_max_in_flight`` requests are being worked on
  in this process; beyond that each waits, first come first served, up to
  ``overload_queue_seconds`` for a slot, then is refused.
- **low**: everything else (logins, lists, reports, case work, imports of scan and location
  batches, previews, posters, exports). Admitted only while fewer requests are in flight than
  the low limit, so that the rest of the slots stay free for critical work; otherwise refused at
  once. The low limit is ``overload_low_in_flight`` while critical work is answered quickly, and
  adapts when it is not (below).
- **exempt**: ``/healthz``, ``/readyz`` and ``/metrics``: neither counted nor refused, so that a
  busy process is not taken for a dead one and its metrics show the overload; and the pages'
  static files (``/static/``), which touch no database and of which a page loads a dozen at once.

A refusal is ``503`` problem+json with ``Retry-After``, sent before the request reaches any route:
its body is not read, no transaction is opened, nothing is written. A request admitted runs to
its end whatever arrives after it. So nothing acknowledged is lost: a write either answers 2xx
after its transaction committed, or 503 before any work started, and the client sends it again
(checkpoint devices and location feeds keep a batch until it is acknowledged).

**The adaptive low limit.** A count of requests in flight does not say what they cost: a
burst of lists can keep 16 in flight and take most of the one core a process has, so that code
display waits behind them. So the time critical requests take is watched, window by window
(``WINDOW_SECONDS``): after a window whose critical requests (at least
``SLOW_WINDOW_ANSWERS`` of them) took longer on average than
``overload_critical_target_seconds``, the low limit drops to 1 (low-priority work only while the
process works on nothing else); after each window without that, it climbs back by one, up to
``overload_low_in_flight`` (additive increase, multiplicative decrease, as TCP does). A quiet
process keeps the full limit (a page's first load has several calls in flight at once); under a
burst, low-priority work gets only what the critical work leaves. A target of 0 turns this off.

The counter lives in the process's one event loop: admission and release happen there, between
awaits, so it needs no lock. With several API processes, each sheds on its own.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from healthcode.api.problems import PROBLEM_JSON
from healthcode.kernel.clock import monotonic as monotonic_seconds

OVERLOADED = 503


class Priority(StrEnum):
    CRITICAL = "critical"
    LOW = "low"
    EXEMPT = "exempt"


PRIORITIES: dict[tuple[str, str], Priority] = {
    ("GET", "/api/v1/me/code"): Priority.CRITICAL,
    ("POST", "/api/v1/verify"): Priority.CRITICAL,
    ("GET", "/api/v1/me/status"): Priority.CRITICAL,
    ("GET", "/.well-known/healthcode/trust-list"): Priority.CRITICAL,
    ("GET", "/.well-known/healthcode/trust-bundle"): Priority.CRITICAL,
    ("GET", "/healthz"): Priority.EXEMPT,
    ("GET", "/readyz"): Priority.EXEMPT,
    ("GET", "/metrics"): Priority.EXEMPT,
}
"""Every (method, path) not listed is low priority. Paths are exact (the query string aside):
none of the listed routes has a parameter in its path."""


STATIC_PREFIX = "/static/"
"""The pages' own scripts, styles and fonts: files from the package, no database. A page loads
a dozen of them at once; counted, they would push its own API calls over the low limit."""


def priority_of(method: str, path: str) -> Priority:
    """The priority of a request (or of an operation of the OpenAPI document)."""
    if method == "GET" and path.startswith(STATIC_PREFIX):
        return Priority.EXEMPT
    return PRIORITIES.get((method, path), Priority.LOW)


def request_priority(scope: Scope) -> Priority:
    """The priority of an HTTP request, by its path below the app's mount point (a server run
    with a root path sees it in front of every path)."""
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return priority_of(scope["method"], path)


WINDOW_SECONDS = 0.1
"""How long the critical requests' times are averaged before the low limit moves."""

SLOW_WINDOW_ANSWERS = 5
"""Critical answers a window needs before their mean can lower the low limit: one slow code on
a quiet process (a cold cache, a busy neighbour) is no burst, and a page's calls go on."""


@dataclass(frozen=True)
class Limits:
    """How many requests one process works on at once (see the module)."""

    max_in_flight: int
    low_in_flight: int
    queue_seconds: float
    retry_after_seconds: int
    critical_target_seconds: float = 0.0
    """The mean time of critical requests past which low-priority work yields (0: never)."""

    def __post_init__(self) -> None:
        if not 1 <= self.low_in_flight <= self.max_in_flight:
            raise ValueError("the low-priority limit must be between 1 and the in-flight limit")


class Admission:
    """The in-flight count, the line of critical requests waiting for a slot, and the low
    limit adapted to how long critical requests take (``monotonic``: seconds)."""

    def __init__(self, limits: Limits, monotonic: Callable[[], float] = monotonic_seconds) -> None:
        self.limits = limits
        self.in_flight = 0
        self.low_limit = limits.low_in_flight
        self.now = monotonic
        self._waiting: deque[anyio.Event] = deque()
        self._window_end = monotonic() + WINDOW_SECONDS
        self._critical_count = 0
        self._critical_seconds = 0.0

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def answered_critical(self, seconds: float) -> None:
        """A critical request took ``seconds`` from admission to its answer."""
        self._roll()
        self._critical_count += 1
        self._critical_seconds += seconds

    def _roll(self) -> None:
        """At the end of a window, move the low limit by the critical requests' mean time."""
        now = self.now()
        if now < self._window_end or self.limits.critical_target_seconds <= 0:
            return
        slow = (
            self._critical_count >= SLOW_WINDOW_ANSWERS
            and self._critical_seconds / self._critical_count > self.limits.critical_target_seconds
        )
        # the windows that passed since with nothing to roll them (a quiet process) count as
        # quick ones: after a quiet minute the limit is back in full
        quiet = int((now - self._window_end) / WINDOW_SECONDS)
        base = 1 if slow else self.low_limit + 1
        self.low_limit = min(base + quiet, self.limits.low_in_flight)
        self._critical_count, self._critical_seconds = 0, 0.0
        self._window_end = now + WINDOW_SECONDS

    async def admit(self, priority: Priority) -> bool:
        """Take a slot for a request of ``priority`` (True), or refuse it (False)."""
        if priority is Priority.LOW:
            self._roll()
            if self.in_flight >= self.low_limit:
                return False
            self.in_flight += 1
            return True
        if self.in_flight < self.limits.max_in_flight and not self._waiting:
            self.in_flight += 1
            return True
        return await self._wait_in_line()

    async def _wait_in_line(self) -> bool:
        if self.limits.queue_seconds <= 0:
            return False
        ticket = anyio.Event()
        self._waiting.append(ticket)
        try:
            with anyio.move_on_after(self.limits.queue_seconds):
                await ticket.wait()
        except BaseException:
            # cancelled from outside: give back a slot handed over meanwhile, or leave the line
            self._leave(ticket)
            raise
        if ticket.is_set():
            return True  # release() handed this request its slot
        self._waiting.remove(ticket)
        return False

    def _leave(self, ticket: anyio.Event) -> None:
        if ticket.is_set():
            self.release()
        else:
            self._waiting.remove(ticket)

    def release(self) -> None:
        """A request ended: its slot passes to the first in line, or is freed."""
        if self._waiting:
            self._waiting.popleft().set()
        else:
            self.in_flight -= 1


class LoadShedder:
    """ASGI middleware: admits each HTTP request by priority or answers 503 (see the module)."""

    def __init__(
        self, app: ASGIApp, *, admission: Admission, on_shed: Callable[[Priority], None]
    ) -> None:
        self.app, self.admission, self.on_shed = app, admission, on_shed
        self._refusal = _refusal(admission.limits.retry_after_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        priority = request_priority(scope)
        if priority is Priority.EXEMPT:
            await self.app(scope, receive, send)
            return
        if not await self.admission.admit(priority):
            self.on_shed(priority)
            await self._refuse(scope, send)
            return
        started = self.admission.now()
        try:
            await self.app(scope, receive, send)
        finally:
            self.admission.release()
            if priority is Priority.CRITICAL:
                self.admission.answered_critical(self.admission.now() - started)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        headers, payload = self._refusal
        if _has_body(scope):
            # the body is left unread: the connection is not reused for another request
            headers = [*headers, (b"connection", b"close")]
        await send({"type": "http.response.start", "status": OVERLOADED, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def _has_body(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False


def _refusal(retry_after: int) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The headers and body of every refusal, built once."""
    payload = json.dumps(
        {
            "type": "about:blank",
            "title": "Service overloaded",
            "status": OVERLOADED,
            "detail": f"the server is busy with more urgent work; retry after {retry_after} s",
        }
    ).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(payload)).encode()),
        (b"retry-after", str(retry_after).encode()),
    ]
    return headers, payload
