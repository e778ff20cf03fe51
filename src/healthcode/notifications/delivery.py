"""Colour changes to the citizen's channels, by webhook, through a transactional outbox.

``enqueue_status_change`` runs inside the transaction that records the change, so a change is
never committed without its notifications nor a notification without its change.
``deliver_due`` sends what is due: each message is claimed for a lease, sent, then marked in a
new transaction. A crash between sending and marking leaves the claim to expire and the message
is sent again with the same ``Idempotency-Key``: nothing is lost, and a receiver that keeps the
keys it has seen gets each notification exactly once. Failures are retried with exponential
back-off; after ``max_attempts`` the message is parked for an operator.

Each request carries ``X-Healthcode-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>." + body under the channel's webhook secret>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from healthcode.kernel.clock import Clock
from healthcode.kernel.ids import new_id
from healthcode.kernel.uow import UnitOfWork
from healthcode.notifications.model import OutboxMessage

STATUS_CHANGED = "status.changed"
SIGNATURE_HEADER = "X-Healthcode-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
EVENT_HEADER = "X-Healthcode-Event"
DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_BASE_DELAY = timedelta(seconds=30)
DEFAULT_MAX_DELAY = timedelta(hours=1)
DEFAULT_LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status: int | None = None
    error: str = ""


class WebhookSender(Protocol):
    def send(self, *, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        """POST ``body``; never raises for a network or HTTP failure (it says so instead)."""
        ...


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def status_change_message(
    *,
    change_id: str,
    channel_id: str,
    channel_user_id: str,
    subject: str,
    colour_from: str | None,
    colour_to: str,
    at: datetime,
    now: datetime,
) -> OutboxMessage:
    """The outbox message telling one channel of a person's colour change (the one format,
    whether one change is queued or a tracing batch queues thousands)."""
    key = f"status-change:{change_id}:{channel_id}"
    body = {
        "type": STATUS_CHANGED,
        "id": key,
        "channel_user_id": channel_user_id,
        "colour_from": colour_from,
        "colour_to": colour_to,
        "at": at.isoformat(),
    }
    return OutboxMessage(
        id=new_id(),
        idempotency_key=key,
        channel_id=channel_id,
        subject=subject,
        event=STATUS_CHANGED,
        body=json.dumps(body, sort_keys=True, ensure_ascii=False),
        created_at=now,
        next_attempt_at=now,
    )


def enqueue_status_change(
    *,
    uow: UnitOfWork,
    clock: Clock | None = None,
    subject: str,
    colour_from: str | None,
    colour_to: str,
    at: datetime,
    change_id: str,
) -> int:
    """Queue a notification of a colour change to each active channel the person is bound to,
    inside the caller's transaction. Returns how many were queued (a repeat queues none)."""
    now = clock.now() if clock is not None else at
    queued = 0
    for channel_id, channel_user_id in uow.channels.bindings_of(subject):
        channel = uow.channels.get(channel_id)
        if channel is None or not channel.active:
            continue
        message = status_change_message(
            change_id=change_id,
            channel_id=channel_id,
            channel_user_id=channel_user_id,
            subject=subject,
            colour_from=colour_from,
            colour_to=colour_to,
            at=at,
            now=now,
        )
        queued += uow.outbox.add(message)
    return queued


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    parked: int = 0

    @property
    def attempted(self) -> int:
        return self.delivered + self.retried + self.parked


def backoff(attempts: int, *, base: timedelta, cap: timedelta) -> timedelta:
    """The wait after the ``attempts``-th failure: base, 2×base, 4×base… at most ``cap``."""
    delay: timedelta = base * (2 ** max(0, attempts - 1))
    return min(delay, cap)


def deliver_due(
    *,
    uow_factory: Callable[[], UnitOfWork],
    clock: Clock,
    sender: WebhookSender,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    base_delay: timedelta = DEFAULT_BASE_DELAY,
    max_delay: timedelta = DEFAULT_MAX_DELAY,
    lease: timedelta = DEFAULT_LEASE,
    batch_size: int = 100,
) -> DeliveryReport:
    """Send every message due now (one batch); each outcome is committed on its own."""
    now = clock.now()
    with uow_factory() as uow:
        claimed = list(uow.outbox.claim_due(now=now, lease_until=now + lease, limit=batch_size))
        targets = {}
        for message in claimed:
            channel = uow.channels.get(message.channel_id)
            if channel is not None:
                targets[message.id] = (channel.webhook_url, channel.webhook_secret)
        uow.commit()
    report = DeliveryReport()
    for message in claimed:
        body = message.body.encode()
        if message.id in targets:
            url, secret = targets[message.id]
            headers = {
                "Content-Type": "application/json",
                IDEMPOTENCY_HEADER: message.idempotency_key,
                EVENT_HEADER: message.event,
                SIGNATURE_HEADER: signature(secret, int(clock.now().timestamp()), body),
            }
            result = sender.send(url=url, body=body, headers=headers)
        else:
            result = SendResult(ok=False, error="the channel no longer exists")
        with uow_factory() as uow:
            if result.ok:
                uow.outbox.mark_delivered(message.id, at=clock.now())
                report.delivered += 1
            else:
                attempts = message.attempts + 1
                parked = attempts >= max_attempts
                uow.outbox.mark_failed(
                    message.id,
                    attempts=attempts,
                    next_attempt_at=clock.now() + backoff(attempts, base=base_delay, cap=max_delay),
                    parked=parked,
                    error=result.error or f"HTTP {result.status}",
                )
                if parked:
                    report.parked += 1
                else:
                    report.retried += 1
            uow.commit()
    return report


def outbox(*, uow: UnitOfWork, status: str | None = None) -> list[OutboxMessage]:
    """The queued messages (e.g. ``status="parked"`` for an operator to look at)."""
    with uow:
        return uow.outbox.list(status=status)
