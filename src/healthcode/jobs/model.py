"""Durable background jobs: what to do, and how far it got. Pure.

A job is claimed for a lease; its effects and its completion commit together, so a finished
job is never run again and a crashed one is claimed again once its lease expires. A failure is
retried after a growing delay and, after ``MAX_ATTEMPTS``, left ``failed`` for an operator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

MAX_ATTEMPTS: Final = 8
LEASE: Final = timedelta(minutes=5)
_BASE_DELAY: Final = timedelta(seconds=10)
_MAX_DELAY: Final = timedelta(minutes=30)


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, kw_only=True)
class Job:
    id: str
    kind: str
    payload: Mapping[str, Any]
    dedup_key: str
    run_after: datetime
    created_at: datetime
    status: JobStatus = JobStatus.PENDING
    attempts: int = 0
    locked_by: str | None = None
    locked_until: datetime | None = None
    last_error: str = ""
    finished_at: datetime | None = None


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 10 s, 20 s, 40 s… at most 30 minutes."""
    delay: timedelta = _BASE_DELAY * (2 ** max(0, attempts - 1))
    return min(delay, _MAX_DELAY)
