"""What notifications need from storage; ``notifications.repository`` implements it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from healthcode.notifications.model import OutboxMessage


class OutboxRepository(Protocol):
    def add(self, message: OutboxMessage) -> bool:
        """Queue a message; False if its idempotency key is already queued."""
        ...

    def claim_due(
        self, *, now: datetime, lease_until: datetime, limit: int
    ) -> Sequence[OutboxMessage]:
        """Pending messages due by ``now``, claimed until ``lease_until`` (others skip them)."""
        ...

    def mark_delivered(self, message_id: str, *, at: datetime) -> None: ...

    def mark_failed(
        self,
        message_id: str,
        *,
        attempts: int,
        next_attempt_at: datetime,
        parked: bool,
        error: str,
    ) -> None: ...

    def list(self, *, status: str | None = None) -> list[OutboxMessage]: ...
