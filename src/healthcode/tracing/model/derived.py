"""What tracing recorded: an exposure or quarantine order, the case or risk area it follows from,
and its evidence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, kw_only=True)
class DerivedFact:
    """A fact tracing recorded (an exposure or a quarantine order), the case or risk area it
    follows from, and its evidence (place, both intervals, overlap, rule) as JSON values."""

    fact_id: str
    key: str  # the evidence's deterministic key: the same finding traced again has the same key
    kind: str  # exposure | quarantine_order
    source_kind: str  # case | risk_area
    source_id: str
    subject: str
    rule: str
    category: str
    evidence: Mapping[str, Any]
    created_at: datetime
    retracted_at: datetime | None = None
    retracted_by: str | None = None  # the retraction fact
