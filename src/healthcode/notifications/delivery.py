"""Delivering webhooks: each is a job of the durable queue (``WEBHOOK``), so it gets the queue's
lease, retries and parking. A worker claims a due webhook, sends it, and marks it done in the
same transaction. A crash between sending and marking leaves the lease to expire and the webhook
is sent again with the same ``Idempotency-Key``: nothing is lost, and a receiver that keeps the
keys it has seen gets each notification exactly once. Failures are retried with exponential
back-off (30 s, 60 s… at most an hour); after ``MAX_ATTEMPTS`` the webhook is parked (a failed
job) for an operator.

Each request carries ``X-Healthcode-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>." + body under the channel's webhook secret>``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from healthcode.jobs.model import (
    MAX_ATTEMPTS,
    Backoff,
    Job,
    JobFailed,
    JobKind,
    JobKinds,
    JobStatus,
)
from healthcode.jobs.queue import run_due, worker_name
from healthcode.kernel.clock import Clock
from healthcode.notifications.model import Notification, WebhookSender
from healthcode.notifications.ports import NotificationsUnitOfWork
from healthcode.notifications.status_changes import WEBHOOK

SIGNATURE_HEADER: Final = "X-Healthcode-Signature"
IDEMPOTENCY_HEADER: Final = "Idempotency-Key"
EVENT_HEADER: Final = "X-Healthcode-Event"
BACKOFF: Final = Backoff(base=timedelta(seconds=30), cap=timedelta(hours=1))
_LISTED: Final = 100_000


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def webhook_kind(sender: WebhookSender, *, max_attempts: int = MAX_ATTEMPTS) -> JobKind:
    """The job kind that sends webhooks through ``sender``."""

    def deliver(uow: NotificationsUnitOfWork, clock: Clock, job: Job) -> None:
        channel = uow.channels.get(str(job.payload["channel_id"]))
        if channel is None:
            raise JobFailed("the channel no longer exists")
        body = str(job.payload["body"]).encode()
        headers = {
            "Content-Type": "application/json",
            IDEMPOTENCY_HEADER: job.dedup_key,
            EVENT_HEADER: str(job.payload["event"]),
            SIGNATURE_HEADER: signature(channel.webhook_secret, int(clock.now().timestamp()), body),
        }
        result = sender.send(url=channel.webhook_url, body=body, headers=headers)
        if not result.ok:
            raise JobFailed(result.error or f"HTTP {result.status}")

    return JobKind(name=WEBHOOK, run=deliver, backoff=BACKOFF, max_attempts=max_attempts)


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    parked: int = 0

    def add(self, other: DeliveryReport) -> None:
        self.delivered += other.delivered
        self.retried += other.retried
        self.parked += other.parked

    @property
    def attempted(self) -> int:
        return self.delivered + self.retried + self.parked

    def count(self, status: JobStatus) -> None:
        """Count one webhook job's outcome."""
        if status is JobStatus.DONE:
            self.delivered += 1
        elif status is JobStatus.PENDING:
            self.retried += 1
        elif status is JobStatus.FAILED:
            self.parked += 1


def deliver_due(
    *,
    uow_factory: Callable[[], NotificationsUnitOfWork],
    clock: Clock,
    sender: WebhookSender,
    max_attempts: int = MAX_ATTEMPTS,
    batch_size: int = 100,
) -> DeliveryReport:
    """Send up to ``batch_size`` webhooks due now, each outcome committed on its own."""
    kinds = JobKinds([webhook_kind(sender, max_attempts=max_attempts)])
    worker = worker_name()
    report = DeliveryReport()
    while report.attempted < batch_size:
        outcomes = run_due(uow_factory=uow_factory, clock=clock, kinds=kinds, worker=worker)
        if not outcomes:
            break
        for outcome in outcomes:
            report.count(outcome.status)
    return report


_STATES: Final = {
    JobStatus.PENDING: "pending",
    JobStatus.RUNNING: "pending",
    JobStatus.DONE: "delivered",
    JobStatus.FAILED: "parked",
}


def _notification(job: Job) -> Notification:
    return Notification(
        id=job.id,
        idempotency_key=job.dedup_key,
        channel_id=str(job.payload["channel_id"]),
        subject=str(job.payload["subject"]),
        event=str(job.payload["event"]),
        body=str(job.payload["body"]),
        created_at=job.created_at,
        status=_STATES[job.status],
        attempts=job.attempts,
        next_attempt_at=job.run_after,
        delivered_at=job.finished_at if job.status is JobStatus.DONE else None,
        last_error=job.last_error,
    )


def outbox(*, uow: NotificationsUnitOfWork, status: str | None = None) -> list[Notification]:
    """The queued webhooks, oldest first (``status="parked"``: those waiting for an operator)."""
    with uow:
        found = [_notification(j) for j in uow.jobs.list(kind=WEBHOOK, limit=_LISTED)]
    return [n for n in found if status is None or n.status == status]
