"""The console's dashboard and map on both databases: a week of a city counted by colour, case,
quarantine, flagged check-in and waiting proposal on the city's calendar days, and cases and
exposures per H3 cell with the small counts left out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dashboard_helpers import CASES_AT_RESTAURANT, a_week
from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import NotAllowed
from healthcode.kernel.regions import local_date
from healthcode.oversight.access import Principal, Role
from healthcode.tracing.quarantine import list_quarantines
from healthcode.transparency.dashboard import dashboard, density_map

CITY = "330100"


def test_the_dashboard_counts_a_week_on_the_citys_days(
    container: Container, clock: FixedClock
) -> None:
    """Colours at each day's end, cases per day, a flagged check-in and a waiting case."""
    week = a_week(container, clock)
    d = dashboard(uow=container.uow(), clock=clock, principal=week.who["wang"], serving=CITY)
    assert (d.today, d.zone, len(d.colours), len(d.cases)) == (
        date(2026, 3, 3),
        "Asia/Shanghai",
        30,
        30,
    )
    colours = {c.day: dict(c.counts) for c in d.colours}
    assert colours[date(2026, 2, 28)] == {"green": 0, "yellow": 0, "red": 0}
    assert colours[date(2026, 3, 1)] == {"green": 9, "yellow": 0, "red": 0}
    # four cases and three contacts red; the waiting case and the one who checked in green
    assert colours[date(2026, 3, 3)] == {"green": 2, "yellow": 0, "red": 7}
    cases = {c.day: dict(c.counts) for c in d.cases}
    assert cases[date(2026, 3, 2)] == {"reported": 4, "confirmed": 4}
    assert cases[date(2026, 3, 3)] == {"reported": 1, "confirmed": 0}
    assert sum(c.counts["confirmed"] for c in d.cases) == 4
    assert (d.flagged_checkins, dict(d.proposals_waiting)) == (1, {"confirm_case": 1})
    assert d.quarantines_ending_today == 0


def test_quarantines_are_counted_on_the_day_they_end(
    container: Container, clock: FixedClock
) -> None:
    """On the local day an order is planned to end, it is counted; the day after, not."""
    week = a_week(container, clock)
    orders = list_quarantines(uow=container.uow(), clock=clock, principal=week.who["wang"])
    assert orders
    last = max(o.order.planned_end for o in orders)
    ending = [o for o in orders if local_date(o.order.planned_end, CITY) == local_date(last, CITY)]
    clock.set(last - timedelta(minutes=1))
    d = dashboard(uow=container.uow(), clock=clock, principal=week.who["li"], serving=CITY)
    assert d.quarantines_ending_today == len(ending)
    clock.set(last + timedelta(days=1))
    d = dashboard(uow=container.uow(), clock=clock, principal=week.who["li"], serving=CITY)
    assert d.quarantines_ending_today == 0


def test_the_map_shows_dense_cells_and_risk_areas_and_hides_small_counts(
    container: Container, clock: FixedClock
) -> None:
    """The restaurant's cell shows cases, exposures and high risk; the lone case is not shown."""
    week = a_week(container, clock)
    found = density_map(uow=container.uow(), clock=clock, principal=week.who["wang"], serving=CITY)
    assert (found.resolution, found.smallest_count) == (8, 3)
    restaurant = week.places.restaurant.cell
    assert [c.cell for c in found.cells] == [restaurant]
    (cell,) = found.cells
    # the three cases met three contacts there: all six were exposed to a case
    assert (cell.cases, cell.exposures, cell.risk_level) == (CASES_AT_RESTAURANT, 6, "high")
    assert len(cell.boundary) == 6
    assert all(abs(lat - 30.26) < 0.05 and abs(lon - 120.15) < 0.05 for lat, lon in cell.boundary)
    assert [(a.name, a.level, a.cells) for a in found.areas] == [
        ("西湖餐馆区", "high", (restaurant,))
    ]
    assert found.start == found.end - timedelta(days=14)


def test_the_map_of_days_before_anything_happened_shows_only_the_risk_area(
    container: Container, clock: FixedClock
) -> None:
    """Counting one day from a week later, only the risk area in force is left, with no counts."""
    week = a_week(container, clock)
    clock.advance(timedelta(days=2))
    found = density_map(
        uow=container.uow(), clock=clock, principal=week.who["wang"], serving=CITY, days=1
    )
    assert [(c.cases, c.exposures, c.risk_level) for c in found.cells] == [(None, None, "high")]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_citizen_may_not_read_the_dashboard(container: Container, clock: FixedClock) -> None:
    """The dashboard and map are for officials: a citizen is refused."""
    citizen = Principal(role=Role.CITIZEN, id="someone", channel="website")
    with pytest.raises(NotAllowed):
        dashboard(uow=container.uow(), clock=clock, principal=citizen, serving=CITY)
    with pytest.raises(NotAllowed):
        density_map(uow=container.uow(), clock=clock, principal=citizen, serving=CITY)
