"""Bus lines of the synthetic city: routes across the centre, a timetable of trips run by a few
vehicles, and the ride a commuter takes between two positions."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Final

from healthcode.simulator.model.geography import (
    cell_at,
    cell_centre,
    disk,
    km_between,
    offset,
    path_cells,
)
from healthcode.simulator.model.places import BusLine, BusTrip, Place, PlaceKind

FIRST_DEPARTURE: Final = 6 * 60
LAST_DEPARTURE: Final = 22 * 60
HEADWAY: Final = 10
"""Minutes between departures of a line (a city bus at peak)."""
MINUTES_PER_STOP: Final = 2
WALK_RINGS: Final = 2
"""How far a rider walks to a stop: two H3 cells (about 1.6 km between cell centres)."""
"""A stop every H3 cell (about 0.8 km between centres) at about 25 km/h."""
TRIP_CAPACITY: Final = 60


@dataclass(frozen=True, slots=True, kw_only=True)
class Ride:
    """A ride a commuter takes: the line, the stops where they board and alight."""

    line: int
    board: int
    alight: int

    def minutes(self) -> int:
        return (self.alight - self.board) * MINUTES_PER_STOP


def build_lines(
    rng: random.Random, centre: tuple[float, float], radius_km: float, count: int, first_id: int
) -> tuple[list[BusLine], list[Place]]:
    """``count`` routes, each across the city through near its centre, run both ways: one
    :class:`BusLine` per direction, and one place per trip (ids from ``first_id``)."""
    lines: list[BusLine] = []
    places: list[Place] = []
    for n in range(count):
        angle = math.pi * (n / count) + rng.uniform(-0.2, 0.2)
        north, east = radius_km * math.cos(angle), radius_km * math.sin(angle)
        skew = rng.uniform(-0.3, 0.3) * radius_km
        a = offset(*offset(*centre, north, east), skew * math.sin(angle), -skew * math.cos(angle))
        b = offset(*offset(*centre, -north, -east), skew * math.sin(angle), -skew * math.cos(angle))
        stops = path_cells(cell_at(*a), cell_at(*b))
        for name, route in ((f"{n + 1}", stops), (f"{n + 1}R", stops[::-1])):
            line, trips = _timetable(name, route, first_id + len(places))
            lines.append(line)
            places.extend(trips)
    return lines, places


def _timetable(name: str, stops: tuple[str, ...], first_id: int) -> tuple[BusLine, list[Place]]:
    minutes = (len(stops) - 1) * MINUTES_PER_STOP
    vehicles = max(1, math.ceil(2 * minutes / HEADWAY) + 1)
    lat, lon = cell_centre(stops[0])
    trips: list[BusTrip] = []
    places: list[Place] = []
    for k, departs in enumerate(range(FIRST_DEPARTURE, LAST_DEPARTURE + 1, HEADWAY)):
        place = Place(
            id=first_id + k,
            kind=PlaceKind.BUS_TRIP,
            site=f"bus-{name.rstrip('R')}",
            lat=lat,
            lon=lon,
            cell=stops[0],
            capacity=TRIP_CAPACITY,
        )
        places.append(place)
        vehicle = f"bus-{name.rstrip('R')}-{k % vehicles + 1:02d}"
        trips.append(
            BusTrip(place=place.id, line=name, vehicle=vehicle, departs=departs, minutes=minutes)
        )
    return BusLine(name=name, stops=stops, trips=tuple(trips)), places


class Stops:
    """Every stop of every line, by H3 cell, to find the ride between two positions with the
    least walking: only stops within ``WALK_RINGS`` cells of either end are considered."""

    def __init__(self, lines: list[BusLine]) -> None:
        self.by_cell: dict[str, list[tuple[int, int]]] = {}
        for line_index, line in enumerate(lines):
            for stop_index, cell in enumerate(line.stops):
                self.by_cell.setdefault(cell, []).append((line_index, stop_index))

    def near(self, at: tuple[float, float]) -> dict[int, tuple[float, int]]:
        """For each line with a stop within walking distance of ``at``: the walk (km) to its
        nearest such stop, and that stop."""
        best: dict[int, tuple[float, int]] = {}
        for cell in disk(cell_at(*at), WALK_RINGS):
            stops = self.by_cell.get(cell)
            if not stops:
                continue
            walk = km_between(at, cell_centre(cell))
            for line, stop in stops:
                if line not in best or (walk, stop) < best[line]:
                    best[line] = (walk, stop)
        return best

    def best_ride(self, start: tuple[float, float], end: tuple[float, float]) -> Ride | None:
        """The ride from ``start`` to ``end`` with the least walking (None when no line within
        walking distance of both goes that way)."""
        at_end = self.near(end)
        options = [
            (walk + at_end[line][0], line, board, at_end[line][1])
            for line, (walk, board) in self.near(start).items()
            if line in at_end and board < at_end[line][1]
        ]
        if not options:
            return None
        _, line, board, alight = min(options)
        return Ride(line=line, board=board, alight=alight)


def trip_arriving_by(line: BusLine, ride: Ride, minute: int) -> tuple[BusTrip, int, int]:
    """The last trip of ``line`` that reaches the alighting stop by ``minute`` (else the first
    trip), with the minutes of the day the rider boards and alights."""
    chosen = line.trips[0]
    for trip in line.trips:
        if trip.departs + ride.alight * MINUTES_PER_STOP <= minute:
            chosen = trip
    return chosen, *_times(chosen, ride)


def trip_leaving_after(line: BusLine, ride: Ride, minute: int) -> tuple[BusTrip, int, int]:
    """The first trip of ``line`` that reaches the boarding stop at or after ``minute`` (else the
    last trip), with the minutes of the day the rider boards and alights."""
    for trip in line.trips:
        if trip.departs + ride.board * MINUTES_PER_STOP >= minute:
            return trip, *_times(trip, ride)
    return line.trips[-1], *_times(line.trips[-1], ride)


def _times(trip: BusTrip, ride: Ride) -> tuple[int, int]:
    board = trip.departs + ride.board * MINUTES_PER_STOP
    return board, board + ride.minutes()
