"""A policy version that was activated for a jurisdiction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime


def source_sha256(source: str) -> str:
    """The SHA-256 of a policy's text (64 hex digits): what its history, its proposal and the
    simulator's reports name a policy text by, so a report is matched to the exact text."""
    return hashlib.sha256(source.encode()).hexdigest()


@dataclass(frozen=True, kw_only=True)
class ActivatedPolicy:
    jurisdiction: str
    version: str
    sha256: str
    activated_at: datetime
    activated_by: str
    approved_by: str | None


@dataclass(frozen=True)
class PolicyActivated:
    """The event an activation publishes: the jurisdiction's statuses are to be reassessed
    under ``version`` (``policies.sweep`` queues that, a batch of people at a time)."""

    jurisdiction: str
    version: str
    at: datetime
