"""The transparency report as JSON: the same body for the API, the command line and the page."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel, Field

from healthcode.transparency.model import MONTHLY_AFTER, TransparencyReport


class ColourDayOut(BaseModel):
    day: date
    green: int
    yellow: int
    red: int


class ReadOut(BaseModel):
    role: str
    purpose: str
    count: int


class AppealsOut(BaseModel):
    filed: int = Field(description="Appeals filed in the period")
    decided: int = Field(description="Appeals answered in the period")
    outcomes: dict[str, int] = Field(description="Appeals filed in the period, by state now")
    median_turnaround_seconds: float | None
    p95_turnaround_seconds: float | None = Field(
        description="95th percentile (nearest rank) of the time from filing to the answer"
    )
    overdue: int = Field(description="Answered after their deadline, or unanswered past it")


class BreakGlassOut(BaseModel):
    uses: int
    people: int = Field(description="People read, summed over the uses")
    by_what: dict[str, int]


class BulkOut(BaseModel):
    proposed: int = Field(description="Proposals above the bulk threshold made in the period")
    executed: int = Field(description="Of those, approved by two approvers and carried out")
    pending: int
    rejected: int
    people: int = Field(description="People touched, counted when proposed, summed")
    by_kind: dict[str, int]


class TransparencyOut(BaseModel):
    """What the system did in a period, in counts only: no one is named."""

    period_from: date
    period_to: date = Field(description="The last day reported on (inclusive)")
    whole_emergency: bool = Field(
        default=False,
        description="The period starts at the instance's first record (the whole emergency)",
    )
    generated_at: datetime
    colours: list[ColourDayOut] = Field(description="People per colour at the end of each day")
    held: dict[str, int] = Field(description="Records held now, per kind of data")
    purged: dict[str, int] = Field(description="Deleted in the period, per kind")
    reads: list[ReadOut] = Field(description="The access log: reads by role and purpose")
    unmaskings: int = Field(description="Phone numbers revealed (access log purpose 'unmask')")
    overrides: dict[str, int] = Field(description="Colour overrides, per health reason")
    appeals: AppealsOut
    break_glass: BreakGlassOut
    bulk_actions: BulkOut

    @classmethod
    def of(cls, report: TransparencyReport) -> TransparencyOut:
        a, b = report.appeals, report.bulk_actions
        return cls(
            period_from=report.period.first,
            period_to=report.period.last,
            whole_emergency=report.whole,
            generated_at=report.generated_at,
            colours=[ColourDayOut(day=d.day, **d.counts) for d in report.colours],
            held=dict(report.held),
            purged=dict(report.purged),
            reads=[ReadOut(role=r.role, purpose=r.purpose, count=r.count) for r in report.reads],
            unmaskings=report.unmaskings,
            overrides=dict(report.overrides),
            appeals=AppealsOut(
                filed=a.filed,
                decided=a.decided,
                outcomes=dict(a.outcomes),
                median_turnaround_seconds=a.median_seconds,
                p95_turnaround_seconds=a.p95_seconds,
                overdue=a.overdue,
            ),
            break_glass=BreakGlassOut(
                uses=report.break_glass.uses,
                people=report.break_glass.people,
                by_what=dict(report.break_glass.by_what),
            ),
            bulk_actions=BulkOut(
                proposed=b.proposed,
                executed=b.executed,
                pending=b.pending,
                rejected=b.rejected,
                people=b.people,
                by_kind=dict(b.by_kind),
            ),
        )

    def colours_shown(self) -> list[ColourDayOut]:
        """What a page shows of ``colours``: every day, or for a period longer than
        ``MONTHLY_AFTER`` days the end of each month and the last day."""
        if len(self.colours) <= MONTHLY_AFTER:
            return self.colours
        last = len(self.colours) - 1
        return [
            d
            for i, d in enumerate(self.colours)
            if i == last or (d.day + timedelta(days=1)).day == 1
        ]
