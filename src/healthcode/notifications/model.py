"""A notification waiting in the outbox for one channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class OutboxMessage:
    id: str
    idempotency_key: str
    channel_id: str
    subject: str
    event: str
    body: str
    created_at: datetime
    status: str = "pending"  # pending | delivered | parked
    attempts: int = 0
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    last_error: str = ""
