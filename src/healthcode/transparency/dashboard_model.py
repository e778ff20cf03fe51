"""The console's dashboard and map in figures, and the pure rules that shape them: the city's
calendar days as UTC bounds, colours per day from a starting count and each day's moves, and
the H3 cells drawn with their own boundaries. Counts only; no one is named."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import h3  # type: ignore[import-untyped]

from healthcode.kernel.errors import InvalidInput
from healthcode.transparency.model import COLOURS

DASHBOARD_DAYS: Final = 30  # the days the dashboard's charts cover, up to today
MAP_DAYS: Final = 14  # the days the map counts by default
MAX_MAP_DAYS: Final = 30
SMALLEST_COUNT: Final = 3  # a cell counting fewer people than this is not shown at all
MAP_RESOLUTION: Final = 8  # presences carry H3 resolution-8 cells (about 0.7 km²)
CASE_KEYS: Final = ("reported", "confirmed")


@dataclass(frozen=True)
class DayDelta:
    """A count in one day's bucket (its index in the bounds) for one key (a colour, a case
    state); negative for people leaving a colour."""

    bucket: int
    key: str
    count: int


@dataclass(frozen=True)
class DayCounts:
    day: date
    counts: Mapping[str, int]


@dataclass(frozen=True)
class AreaCells:
    """A published risk area: its name, level, window and cells (no personal data)."""

    id: str
    name: str
    level: str
    cells: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Dashboard:
    """Where the jurisdiction stands on the city's calendar days up to ``today``."""

    generated_at: datetime
    zone: str
    today: date
    colours: list[DayCounts]  # people holding each colour at the end of each day
    cases: list[DayCounts]  # cases reported, and confirmed (not withdrawn since), per day
    quarantines_ending_today: int
    flagged_checkins: int
    proposals_waiting: Mapping[str, int]  # per kind


@dataclass(frozen=True)
class CellFigures:
    cell: str
    cases: int | None  # None: fewer than the smallest count shown (or none)
    exposures: int | None
    risk_level: str | None  # the highest level of a risk area in force covering it
    boundary: tuple[tuple[float, float], ...]  # (lat, lon) corners, from H3


@dataclass(frozen=True)
class DensityMap:
    generated_at: datetime
    start: datetime
    end: datetime
    resolution: int
    smallest_count: int
    centre: tuple[float, float]
    cells: list[CellFigures]
    areas: list[AreaCells]


def day_bounds(today: date, days: int, zone: ZoneInfo) -> tuple[list[date], list[datetime]]:
    """The ``days`` calendar days up to ``today`` in ``zone``, and their ``days + 1`` bounds
    (each day's local midnight, in UTC; the last one is tomorrow's)."""
    first = today - timedelta(days=days - 1)
    dates = [first + timedelta(days=n) for n in range(days)]
    bounds = [
        datetime.combine(d, time(), tzinfo=zone).astimezone(UTC)
        for d in [*dates, today + timedelta(days=1)]
    ]
    return dates, bounds


def colours_per_day(
    before: Mapping[str, int], moves: Iterable[DayDelta], dates: Sequence[date]
) -> list[DayCounts]:
    """The people per colour at the end of each day: the count before the first day plus
    every day's moves so far."""
    by_day: dict[int, dict[str, int]] = {}
    for move in moves:
        changes = by_day.setdefault(move.bucket, {})
        changes[move.key] = changes.get(move.key, 0) + move.count
    held = {colour: before.get(colour, 0) for colour in COLOURS}
    out: list[DayCounts] = []
    for n, day in enumerate(dates):
        for colour, change in by_day.get(n, {}).items():
            if colour in held:
                held[colour] += change
        out.append(DayCounts(day, dict(held)))
    return out


def counts_per_day(
    counted: Iterable[DayDelta], dates: Sequence[date], keys: Sequence[str]
) -> list[DayCounts]:
    """Each day's counts for ``keys`` (zero where none)."""
    table = {(c.bucket, c.key): c.count for c in counted}
    return [DayCounts(day, {k: table.get((n, k), 0) for k in keys}) for n, day in enumerate(dates)]


def map_days(days: int) -> int:
    if not 1 <= days <= MAX_MAP_DAYS:
        raise InvalidInput.one("days", f"must be from 1 to {MAX_MAP_DAYS}")
    return days


def boundary(cell: str) -> tuple[tuple[float, float], ...]:
    """The cell's corners as (lat, lon), from H3."""
    return tuple((float(lat), float(lon)) for lat, lon in h3.cell_to_boundary(cell))


def cell_centre(cell: str) -> tuple[float, float]:
    lat, lon = h3.cell_to_latlng(cell)
    return float(lat), float(lon)


def risk_levels(areas: Iterable[AreaCells], levels: Sequence[str]) -> dict[str, str]:
    """Each cell of an area in force, with the highest level covering it (``levels`` ranks
    them lowest first)."""
    out: dict[str, str] = {}
    for area in areas:
        for cell in area.cells:
            held = out.get(cell)
            if held is None or levels.index(area.level) > levels.index(held):
                out[cell] = area.level
    return out
