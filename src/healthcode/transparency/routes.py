"""The transparency report over HTTP, for auditors and anyone, and the console's dashboard and
map for officials: counts only, no one named."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from healthcode.api.auth import Authorized, Public
from healthcode.api.deps import ContainerDep
from healthcode.oversight.access import Action, Principal
from healthcode.transparency.dashboard import dashboard, density_map
from healthcode.transparency.dashboard_model import MAP_DAYS, MAX_MAP_DAYS
from healthcode.transparency.report import transparency_report
from healthcode.transparency.schemas import DashboardOut, DensityMapOut, TransparencyOut

router = APIRouter(prefix="/api/v1", tags=["transparency"])

FromQuery = Annotated[
    date | None, Query(alias="from", description="The first day (UTC); default 29 days before to")
]
ToQuery = Annotated[
    date | None, Query(alias="to", description="The last day (UTC, inclusive); default today")
]
WholeQuery = Annotated[
    bool,
    Query(description="From the instance's first record (the whole emergency), not from `from`"),
]


@router.get(
    "/transparency",
    response_model=TransparencyOut,
    dependencies=[Depends(Public(Action.READ_TRANSPARENCY))],
)
def transparency(
    container: ContainerDep,
    first: FromQuery = None,
    last: ToQuery = None,
    whole: WholeQuery = False,
) -> TransparencyOut:
    """What the system did in a period: people by colour per day, data held and purged, reads
    by role and purpose, unmaskings, overrides by health reason, appeals and their turnaround,
    and break-glass uses. Counts only: no one is named. ``whole``: since the instance's
    first record, however long; 422 if ``to`` is before ``from`` or the dates span more than
    ten years."""
    report = transparency_report(
        uow=container.uow(), clock=container.clock, first=first, last=last, whole=whole
    )
    return TransparencyOut.of(report)


ReadsDashboard = Annotated[Principal, Depends(Authorized(Action.READ_DASHBOARD))]
DaysQuery = Annotated[int, Query(ge=1, le=MAX_MAP_DAYS, description="The days counted, up to now")]


@router.get("/dashboard", response_model=DashboardOut, tags=["console"])
def dashboard_figures(principal: ReadsDashboard, container: ContainerDep) -> DashboardOut:
    """The console's dashboard for the official's jurisdiction: people by colour at the end of
    each of the last 30 days (the city's calendar days), cases reported and confirmed per day,
    quarantines ending today, flagged check-ins and four-eyes proposals waiting. Counts only:
    no one is named."""
    figures = dashboard(
        uow=container.uow(),
        clock=container.clock,
        principal=principal,
        serving=container.settings.jurisdiction,
    )
    return DashboardOut.of(figures)


@router.get("/dashboard/map", response_model=DensityMapOut, tags=["console"])
def dashboard_map(
    principal: ReadsDashboard, container: ContainerDep, days: DaysQuery = MAP_DAYS
) -> DensityMapOut:
    """Confirmed cases and people exposed per H3 cell (resolution 8) over the last ``days``
    days, and the risk areas in force, each cell with its boundary. A count below 3 is not
    shown, and a cell with no count shown and no risk area is not listed, so no one is singled
    out."""
    found = density_map(
        uow=container.uow(),
        clock=container.clock,
        principal=principal,
        serving=container.settings.jurisdiction,
        days=days,
    )
    return DensityMapOut.of(found)
