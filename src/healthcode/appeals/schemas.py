"""Bodies of the appeals routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from healthcode.api.types import Identifier, Text
from healthcode.appeals.model import Appeal, AppealFiling


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(description="Why the colour is wrong, in your words")
    evidence: Identifier | None = Field(
        default=None, description="A test reference that shows it (optional)"
    )

    def filing(self) -> AppealFiling:
        return AppealFiling(reason=self.reason, evidence=self.evidence)


class UpholdIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(description="Why the colour stands (the citizen reads it)")


class AppealOut(BaseModel):
    id: str
    subject: str
    colour: str = Field(description="The colour appealed against")
    reason: str
    evidence: str | None
    filed_at: datetime
    due_at: datetime = Field(description="When it must be answered by")
    overdue: bool = Field(description="Still open past its deadline")
    state: str = Field(description="open, upheld, corrected or withdrawn (account closed)")
    decided_at: datetime | None
    decided_by: str | None
    decision: str = Field(description="Why it was upheld, or how it was corrected")
    correction: str | None = Field(description="release, override or retract, when corrected")
    proposal_id: str | None = Field(description="The approved answer_appeal proposal")
    turnaround_seconds: float | None = Field(description="From filing to decision")

    @classmethod
    def of(cls, appeal: Appeal, now: datetime) -> AppealOut:
        turnaround = appeal.turnaround
        return cls(
            id=appeal.id,
            subject=appeal.subject,
            colour=appeal.colour.value,
            reason=appeal.reason,
            evidence=appeal.evidence,
            filed_at=appeal.filed_at,
            due_at=appeal.due_at,
            overdue=appeal.overdue(now),
            state=appeal.state.value,
            decided_at=appeal.decided_at,
            decided_by=appeal.decided_by,
            decision=appeal.decision,
            correction=None if appeal.correction is None else appeal.correction.value,
            proposal_id=appeal.proposal_id,
            turnaround_seconds=None if turnaround is None else turnaround.total_seconds(),
        )
