"""The transparency report as JSON: the same body for the API, the command line and the page."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel, Field

from healthcode.transparency.dashboard_model import Dashboard, DensityMap
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


class DayCountsOut(BaseModel):
    day: date
    counts: dict[str, int]


class DashboardOut(BaseModel):
    """The console's dashboard: counts of the official's jurisdiction, no one named."""

    generated_at: datetime
    zone: str = Field(description="The city's time zone, in which the days are counted")
    today: date
    colours: list[DayCountsOut] = Field(
        description="People holding each colour (green, yellow, red) at the end of each day"
    )
    cases: list[DayCountsOut] = Field(
        description="Cases reported, and confirmed (and not withdrawn since), per day"
    )
    quarantines_ending_today: int = Field(
        description="Quarantine orders in force, not released, planned to end today"
    )
    flagged_checkins: int = Field(description="Check-ins flagged and waiting for review")
    proposals_waiting: dict[str, int] = Field(
        description="Four-eyes proposals waiting for a decision, per kind"
    )

    @classmethod
    def of(cls, d: Dashboard) -> DashboardOut:
        return cls(
            generated_at=d.generated_at,
            zone=d.zone,
            today=d.today,
            colours=[DayCountsOut(day=c.day, counts=dict(c.counts)) for c in d.colours],
            cases=[DayCountsOut(day=c.day, counts=dict(c.counts)) for c in d.cases],
            quarantines_ending_today=d.quarantines_ending_today,
            flagged_checkins=d.flagged_checkins,
            proposals_waiting=dict(d.proposals_waiting),
        )


class CellOut(BaseModel):
    cell: str = Field(description="H3 cell")
    cases: int | None = Field(description="Confirmed cases present; null when fewer than shown")
    exposures: int | None = Field(description="People exposed here; null when fewer than shown")
    risk_level: str | None = Field(description="The highest level of a risk area covering it")
    boundary: list[tuple[float, float]] = Field(description="The cell's corners as (lat, lon)")


class AreaOut(BaseModel):
    id: str
    name: str
    level: str
    cells: list[str]
    starts_at: datetime
    ends_at: datetime


class DensityMapOut(BaseModel):
    """Cases and exposures per H3 cell, and the risk areas in force."""

    generated_at: datetime
    start: datetime
    end: datetime
    resolution: int = Field(description="The H3 resolution of the cells")
    smallest_count: int = Field(description="Counts below this are not shown (no one singled out)")
    centre: tuple[float, float] = Field(description="(lat, lon) the map is projected around")
    cells: list[CellOut]
    areas: list[AreaOut]

    @classmethod
    def of(cls, m: DensityMap) -> DensityMapOut:
        return cls(
            generated_at=m.generated_at,
            start=m.start,
            end=m.end,
            resolution=m.resolution,
            smallest_count=m.smallest_count,
            centre=m.centre,
            cells=[
                CellOut(
                    cell=c.cell,
                    cases=c.cases,
                    exposures=c.exposures,
                    risk_level=c.risk_level,
                    boundary=list(c.boundary),
                )
                for c in m.cells
            ],
            areas=[
                AreaOut(
                    id=a.id,
                    name=a.name,
                    level=a.level,
                    cells=list(a.cells),
                    starts_at=a.starts_at,
                    ends_at=a.ends_at,
                )
                for a in m.areas
            ],
        )
