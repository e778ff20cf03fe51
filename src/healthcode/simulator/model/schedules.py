"""A resident's day: weekday and weekend schedules expanded to visits (place, start, end).

A day's draws come from a generator seeded by (seed, day, resident), so one resident's day does
not depend on anyone else's: two runs of the same city differ only where the epidemic (or a
code) keeps someone at home."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

from healthcode.simulator.model.city import City, Resident, Role
from healthcode.simulator.model.transit import trip_arriving_by, trip_leaving_after

DAY: Final = 24 * 60
WALK: Final = 15
"""Minutes from door to door on foot (no place: nobody is met on the way)."""
LUNCH_OUT: Final = 0.4
SHOP_AFTER_WORK: Final = 0.25
MARKET_MORNING: Final = 0.4
SUPERMARKET_AFTERNOON: Final = 0.3
WEEKEND_MARKET: Final = 0.3
WEEKEND_SUPERMARKET: Final = 0.4
WEEKEND_DINNER_OUT: Final = 0.25
HOSPITAL_VISIT: Final = 0.005
SCHOOL_DAY: Final = (470, 980)


@dataclass(frozen=True, slots=True)
class Visit:
    """``person`` was at ``place`` over [start, end), in minutes from the start of the run."""

    person: int
    place: int
    start: int
    end: int


class _Day:
    """Builds one resident's day in order; ``at`` is where the day has got to (minute of day)."""

    def __init__(self, resident: Resident, day: int) -> None:
        self.resident = resident
        self.base = day * DAY
        self.at = 0
        self.visits: list[Visit] = []

    def stay(self, place: int, start: int, end: int) -> None:
        start, end = max(start, self.at), min(end, DAY)
        if end > start:
            self.visits.append(Visit(self.resident.id, place, self.base + start, self.base + end))
            self.at = end

    def home_until(self, minute: int) -> None:
        self.stay(self.resident.home, self.at, minute)

    def errand(self, rng: random.Random, zones: tuple[int, ...], start: int, minutes: int) -> None:
        """Walk to the venue of ``zones`` at ``start``, stay ``minutes`` in one of its zones,
        walk home."""
        self.home_until(start)
        self.at += WALK
        self.stay(rng.choice(zones), self.at, self.at + minutes)
        self.at += WALK


def day_visits(city: City, resident: Resident, day: int, *, weekend: bool) -> list[Visit]:
    """Where ``resident`` spends day ``day`` of the run (day 0 starts at local midnight)."""
    rng = random.Random(f"{city.seed}/{day}/{resident.id}")
    plan = _Day(resident, day)
    if weekend:
        _weekend(plan, rng)
    elif resident.role is Role.WORKER:
        _workday(city, plan, rng)
    elif resident.role is Role.STUDENT:
        _school_day(plan)
    else:
        _day_at_home(plan, rng)
    plan.home_until(DAY)
    return plan.visits


def _workday(city: City, plan: _Day, rng: random.Random) -> None:
    r = plan.resident
    assert r.day_place is not None  # noqa: S101 - a worker has a workplace (city.build_city)
    start = r.start + rng.choice((-10, 0, 0, 10))
    end = start + 9 * 60 + rng.choice((-15, 0, 0, 30))
    if r.ride_out is not None:
        trip, board, alight = trip_arriving_by(city.lines[r.ride_out.line], r.ride_out, start - 5)
        plan.home_until(board - 5)
        plan.stay(trip.place, board, alight)
    else:
        plan.home_until(start - WALK)
        plan.at = start
    if rng.random() < LUNCH_OUT:
        plan.stay(r.day_place, plan.at, 12 * 60)
        plan.at += 5
        plan.stay(rng.choice(r.lunch_place), plan.at, 12 * 60 + 45)
        plan.at += 5
    plan.stay(r.day_place, plan.at, end)
    if r.ride_back is not None:
        line = city.lines[r.ride_back.line]
        trip, board, alight = trip_leaving_after(line, r.ride_back, end + 5)
        plan.stay(trip.place, board, alight)
    plan.at += WALK
    if rng.random() < SHOP_AFTER_WORK:
        zones = r.supermarket if rng.random() < 0.6 else r.market
        plan.errand(rng, zones, plan.at, rng.randint(15, 40))


def _school_day(plan: _Day) -> None:
    r = plan.resident
    assert r.day_place is not None  # noqa: S101 - a student has a class (city.build_city)
    start, end = SCHOOL_DAY
    plan.home_until(start - WALK)
    plan.stay(r.day_place, start, end)
    plan.at += WALK


def _day_at_home(plan: _Day, rng: random.Random) -> None:
    r = plan.resident
    if rng.random() < MARKET_MORNING:
        plan.errand(rng, r.market, rng.randint(7 * 60, 10 * 60), rng.randint(20, 60))
    if rng.random() < HOSPITAL_VISIT:
        plan.errand(rng, r.hospital, rng.randint(8 * 60, 11 * 60), rng.randint(60, 180))
    if rng.random() < SUPERMARKET_AFTERNOON:
        plan.errand(rng, r.supermarket, rng.randint(14 * 60, 17 * 60), rng.randint(15, 45))


def _weekend(plan: _Day, rng: random.Random) -> None:
    r = plan.resident
    if rng.random() < WEEKEND_MARKET:
        plan.errand(rng, r.market, rng.randint(7 * 60, 10 * 60), rng.randint(20, 60))
    if rng.random() < WEEKEND_SUPERMARKET:
        plan.errand(rng, r.supermarket, rng.randint(13 * 60, 17 * 60), rng.randint(20, 60))
    if rng.random() < WEEKEND_DINNER_OUT:
        plan.errand(rng, r.restaurant, rng.randint(17 * 60 + 30, 19 * 60), rng.randint(50, 90))
