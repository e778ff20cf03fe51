"""The dashboard's pure rules: the city's calendar days as UTC bounds, colours per day from a
starting count and moves, counts per day, risk levels per cell and H3 boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from healthcode.kernel.errors import InvalidInput
from healthcode.transparency.dashboard_model import (
    AreaCells,
    DayDelta,
    boundary,
    colours_per_day,
    counts_per_day,
    day_bounds,
    map_days,
    risk_levels,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = datetime(2026, 3, 1, tzinfo=UTC)


def test_days_are_bounded_by_the_citys_midnights() -> None:
    """Three days up to 3 March in China start at 16:00 UTC the evening before."""
    dates, bounds = day_bounds(date(2026, 3, 3), 3, SHANGHAI)
    assert dates == [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]
    assert bounds[0] == datetime(2026, 2, 28, 16, tzinfo=UTC)
    assert bounds[-1] == datetime(2026, 3, 3, 16, tzinfo=UTC)
    assert len(bounds) == 4


def test_colours_add_each_days_moves_to_the_count_before() -> None:
    """Two green before; one turns red on day 1: green 2, then 1 green and 1 red."""
    dates = [date(2026, 3, 1), date(2026, 3, 2)]
    moves = [DayDelta(1, "red", 1), DayDelta(1, "green", -1)]
    out = colours_per_day({"green": 2}, moves, dates)
    assert [dict(d.counts) for d in out] == [
        {"green": 2, "yellow": 0, "red": 0},
        {"green": 1, "yellow": 0, "red": 1},
    ]


def test_counts_per_day_fill_missing_days_with_zero() -> None:
    """A day with nothing counted shows zero for every key."""
    out = counts_per_day(
        [DayDelta(0, "reported", 2)],
        [date(2026, 3, 1), date(2026, 3, 2)],
        ("reported", "confirmed"),
    )
    assert [dict(d.counts) for d in out] == [
        {"reported": 2, "confirmed": 0},
        {"reported": 0, "confirmed": 0},
    ]


def test_a_cell_in_two_areas_takes_the_higher_level() -> None:
    """A cell in a medium and a high area is high."""
    areas = [
        AreaCells("a", "a", "medium", ("c1", "c2"), T, T),
        AreaCells("b", "b", "high", ("c2",), T, T),
    ]
    assert risk_levels(areas, ("low", "medium", "high")) == {"c1": "medium", "c2": "high"}


def test_a_cells_boundary_is_its_six_corners() -> None:
    """An H3 resolution-8 hexagon has six corners around its centre."""
    corners = boundary("88309959d1fffff")  # People's Square, Shanghai
    assert len(corners) == 6
    assert all(abs(lat - 31.23) < 0.01 and abs(lon - 121.47) < 0.01 for lat, lon in corners)


def test_the_map_counts_one_to_thirty_days() -> None:
    """Zero days or more than thirty is a problem naming the field."""
    assert map_days(30) == 30
    with pytest.raises(InvalidInput, match="days"):
        map_days(0)
