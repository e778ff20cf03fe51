"""What notifying channels deals in: a webhook queued for one channel (as operators see it), and
the port a webhook leaves through."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, kw_only=True)
class Notification:
    """A webhook for one channel, in the queue: pending (to send, or to retry), delivered, or
    parked after too many failures for an operator to look at."""

    id: str
    idempotency_key: str
    channel_id: str
    subject: str
    event: str
    body: str
    created_at: datetime
    status: str  # pending | delivered | parked
    attempts: int
    next_attempt_at: datetime
    delivered_at: datetime | None
    last_error: str


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status: int | None = None
    error: str = ""


class WebhookSender(Protocol):
    def send(self, *, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        """POST ``body``; never raises for a network or HTTP failure (it says so instead)."""
        ...
