"""The sunset over HTTP: what an admin proposes, and the instance's public state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from healthcode.api.types import Text
from healthcode.oversight.instance import InstanceState
from healthcode.sunset.kinds import DEFAULT_GRACE_DAYS, MAX_GRACE_DAYS


class SunsetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text
    grace_days: int = Field(
        default=DEFAULT_GRACE_DAYS,
        ge=0,
        le=MAX_GRACE_DAYS,
        description="Days before every person's data is purged",
    )


class ReactivationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text


class SunsetOut(BaseModel):
    """Collecting or retired; when its personal data is purged; the final transparency report
    kept at the purge (counts only, no one named)."""

    phase: str
    changed_at: datetime | None
    proposal: str | None
    purge_after: datetime | None
    purged_at: datetime | None
    final_report: dict[str, Any] | None

    @classmethod
    def of(cls, state: InstanceState) -> SunsetOut:
        return cls(
            phase=state.phase.value,
            changed_at=state.changed_at,
            proposal=state.proposal,
            purge_after=state.purge_after,
            purged_at=state.purged_at,
            final_report=None if state.final_report is None else dict(state.final_report),
        )
