"""A policy version that was activated for a jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class ActivatedPolicy:
    jurisdiction: str
    version: str
    sha256: str
    activated_at: datetime
    activated_by: str
    approved_by: str | None
