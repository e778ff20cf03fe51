"""Colour changes reach the citizen's channel by signed webhook, queued as jobs in the
transaction of the change: retried with back-off, parked after too many failures, never lost
and never delivered twice."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator, Mapping
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from healthcode.container import Container
from healthcode.jobs.repository import SqlJobRepository
from healthcode.kernel.clock import FixedClock
from healthcode.notifications.delivery import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    deliver_due,
    outbox,
)
from healthcode.notifications.model import SendResult
from healthcode.notifications.webhooks import HttpWebhookSender
from healthcode.status.test_results import record_test_result
from identity_helpers import ChannelKit, add_test_channel, register_via_channel


class Receiver:
    """A partner app's webhook endpoint: fails the first ``failures`` requests, checks the
    signature, and keeps each idempotency key it accepted (so it applies each notice once)."""

    def __init__(self, secret: str = "", failures: int = 0) -> None:
        self.secret = secret
        self.failures = failures
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.accepted: dict[str, dict[str, Any]] = {}
        self.applied = 0
        self.bad_signatures = 0

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        self.requests.append((headers, body))
        if len(self.requests) <= self.failures:
            return 500
        stamp, mac = (part.split("=", 1)[1] for part in headers[SIGNATURE_HEADER].split(","))
        expected = hmac.new(self.secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
        if not hmac.compare_digest(expected.hexdigest(), mac):
            self.bad_signatures += 1
            return 401
        key = headers[IDEMPOTENCY_HEADER]
        if key not in self.accepted:
            self.accepted[key] = json.loads(body)
            self.applied += 1
        return 200


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = state.handle(dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _turn_red(container: Container, subject: str) -> None:
    record_test_result(
        uow=container.uow(),
        clock=container.clock,
        subject=subject,
        test_kind="pcr",
        result="positive",
        sampled_at=container.clock.now() - timedelta(hours=3),
    )


def _bound_person(container: Container, url: str) -> tuple[ChannelKit, str]:
    kit = add_test_channel(container, "alipay", webhook_url=url)
    return kit, register_via_channel(container, kit, user_id="alipay-user-9")


def test_fails_twice_then_succeeds_delivers_exactly_once(
    container: Container, clock: FixedClock, receiver: tuple[Receiver, str]
) -> None:
    """A receiver failing twice gets the notification once, signed, under one idempotency key."""
    state, url = receiver
    kit, subject = _bound_person(container, url)
    state.secret, state.failures = kit.webhook_secret, 2
    _turn_red(container, subject)
    sender = HttpWebhookSender(timeout=5)
    waits = []
    try:
        for _ in range(3):
            report = deliver_due(uow_factory=container.uow, clock=clock, sender=sender)
            assert report.attempted == 1
            [message] = outbox(uow=container.uow())
            waits.append(message.next_attempt_at - clock.now())
            clock.set(message.next_attempt_at)
        assert deliver_due(uow_factory=container.uow, clock=clock, sender=sender).attempted == 0
    finally:
        sender.close()
    assert waits[1] == 2 * waits[0] and message.status == "delivered"
    assert len(state.requests) == 3 and state.applied == 1 and state.bad_signatures == 0
    assert len({headers[IDEMPOTENCY_HEADER] for headers, _ in state.requests}) == 1
    [notice] = state.accepted.values()
    assert (notice["colour_from"], notice["colour_to"]) == ("green", "red")
    assert notice["channel_user_id"] == "alipay-user-9" and subject not in json.dumps(notice)


class Killed(BaseException):
    """The process dying (not an error anything handles)."""


class FakeSender:
    def __init__(self, *results: bool) -> None:
        self.results = list(results)
        self.sent: list[tuple[str, Mapping[str, str]]] = []

    def send(self, *, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        self.sent.append((url, headers))
        ok = self.results.pop(0) if self.results else True
        return SendResult(ok=ok, status=200 if ok else 503, error="" if ok else "HTTP 503")


def test_a_crash_between_send_and_mark_loses_nothing(
    container: Container, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash between sending and marking resends with the same key once the claim expires."""
    # Nothing is lost, and the shared idempotency key makes the receiver count it once.
    _kit, subject = _bound_person(container, "http://127.0.0.1:9/hook")
    _turn_red(container, subject)
    sender = FakeSender()

    def crash(*_args: object, **_kwargs: object) -> None:
        raise Killed  # the process dies: nothing after this line runs, nothing is caught

    with monkeypatch.context() as patched:
        patched.setattr(SqlJobRepository, "finish", crash)
        with pytest.raises(Killed):
            deliver_due(uow_factory=container.uow, clock=clock, sender=sender)
    assert deliver_due(uow_factory=container.uow, clock=clock, sender=sender).attempted == 0
    clock.advance(timedelta(minutes=6))  # the claim (5 minutes) has expired
    assert deliver_due(uow_factory=container.uow, clock=clock, sender=sender).delivered == 1
    keys = [headers[IDEMPOTENCY_HEADER] for _url, headers in sender.sent]
    assert len(keys) == 2 and len(set(keys)) == 1
    [message] = outbox(uow=container.uow())
    assert message.status == "delivered"


def test_parked_after_too_many_failures(container: Container, clock: FixedClock) -> None:
    """After max_attempts failures the message is parked and no longer sent."""
    _kit, subject = _bound_person(container, "http://127.0.0.1:9/hook")
    _turn_red(container, subject)
    sender = FakeSender(False, False, False, False)
    for _ in range(3):
        deliver_due(uow_factory=container.uow, clock=clock, sender=sender, max_attempts=3)
        clock.advance(timedelta(hours=2))
    assert deliver_due(uow_factory=container.uow, clock=clock, sender=sender).attempted == 0
    [message] = outbox(uow=container.uow(), status="parked")
    assert message.attempts == 3 and message.last_error == "HTTP 503" and len(sender.sent) == 3


def test_only_changes_of_bound_people_are_queued(container: Container) -> None:
    """Registration's first status, and changes of people bound to no channel, queue nothing."""
    from factories import register, resident_id
    from healthcode.identity.registration import register_person

    _kit, subject = _bound_person(container, "http://127.0.0.1:9/hook")
    assert outbox(uow=container.uow()) == []
    loner = register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        person=register(id_number=resident_id(5)),
    ).subject
    _turn_red(container, loner)
    assert outbox(uow=container.uow()) == []
    _turn_red(container, subject)
    assert len(outbox(uow=container.uow())) == 1
