"""The authority console's dashboard and map, each one read-only transaction of counts grouped
in SQL: colours per day, cases per day, quarantines ending today, what waits for an official,
and cases and exposures per H3 cell. Only officials read them; they name no one (cells counting
fewer than ``SMALLEST_COUNT`` people are left out in the query), so no access record is
written."""

from __future__ import annotations

from datetime import timedelta

from healthcode.kernel.clock import Clock
from healthcode.kernel.regions import CENTRES, local_date, time_zone
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.authz import require
from healthcode.tracing.model.risk_areas import LEVELS
from healthcode.transparency.dashboard_model import (
    CASE_KEYS,
    DASHBOARD_DAYS,
    MAP_DAYS,
    MAP_RESOLUTION,
    SMALLEST_COUNT,
    CellFigures,
    Dashboard,
    DensityMap,
    boundary,
    cell_centre,
    colours_per_day,
    counts_per_day,
    day_bounds,
    map_days,
    risk_levels,
)
from healthcode.transparency.ports import DashboardUnitOfWork


def _jurisdiction(principal: Principal, serving: str) -> str:
    """The official's jurisdiction, else the one this instance serves."""
    return principal.jurisdiction or serving


def dashboard(
    *, uow: DashboardUnitOfWork, clock: Clock, principal: Principal, serving: str
) -> Dashboard:
    """The official's jurisdiction on the ``DASHBOARD_DAYS`` calendar days (in the city's time
    zone) up to today."""
    principal = require(principal, Action.READ_DASHBOARD)
    jurisdiction = _jurisdiction(principal, serving)
    now = clock.now()
    zone = time_zone(jurisdiction)
    today = local_date(now, jurisdiction)
    dates, bounds = day_bounds(today, DASHBOARD_DAYS, zone)
    with uow:
        repo = uow.dashboard
        return Dashboard(
            generated_at=now,
            zone=zone.key,
            today=today,
            colours=colours_per_day(
                repo.colours_before(jurisdiction, bounds[0]),
                repo.colour_moves(jurisdiction, bounds),
                dates,
            ),
            cases=counts_per_day(repo.cases_by_day(jurisdiction, bounds), dates, CASE_KEYS),
            quarantines_ending_today=repo.quarantines_ending(jurisdiction, bounds[-2], bounds[-1]),
            flagged_checkins=repo.flagged_checkins(jurisdiction),
            proposals_waiting=repo.proposals_waiting(jurisdiction),
        )


def density_map(
    *,
    uow: DashboardUnitOfWork,
    clock: Clock,
    principal: Principal,
    serving: str,
    days: int = MAP_DAYS,
) -> DensityMap:
    """Cases and exposures per H3 cell over the last ``days`` days, and the risk areas in
    force, each cell with its boundary. A cell counting fewer than ``SMALLEST_COUNT`` cases
    (or people exposed) does not show that count; a cell with neither and no risk area is
    not listed."""
    principal = require(principal, Action.READ_DASHBOARD)
    jurisdiction = _jurisdiction(principal, serving)
    end = clock.now()
    start = end - timedelta(days=map_days(days))
    with uow:
        repo = uow.dashboard
        cases = repo.case_cells(jurisdiction, start, end, SMALLEST_COUNT)
        exposures = repo.exposure_cells(jurisdiction, start, end, SMALLEST_COUNT)
        areas = repo.risk_areas(jurisdiction, end)
    levels = risk_levels(areas, LEVELS)
    cells = [
        CellFigures(
            cell=cell,
            cases=cases.get(cell),
            exposures=exposures.get(cell),
            risk_level=levels.get(cell),
            boundary=boundary(cell),
        )
        for cell in sorted({*cases, *exposures, *levels})
    ]
    if jurisdiction in CENTRES:
        lat, lon, _radius = CENTRES[jurisdiction]
        centre = (lat, lon)
    elif cells:
        points = [cell_centre(c.cell) for c in cells]
        centre = (
            sum(p[0] for p in points) / len(points),
            sum(p[1] for p in points) / len(points),
        )
    else:
        centre = (0.0, 0.0)
    return DensityMap(
        generated_at=end,
        start=start,
        end=end,
        resolution=MAP_RESOLUTION,
        smallest_count=SMALLEST_COUNT,
        centre=centre,
        cells=cells,
        areas=areas,
    )
