"""The synthetic city: households at real H3 cells around the jurisdiction's centre, the places
people share, bus lines, and residents with ages, roles and their usual places. Built from a seed
alone: the same parameters and seed give the same city."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from healthcode.simulator.model.geography import (
    Nearest,
    cell_at,
    centre_of,
    km_between,
    scatter,
)
from healthcode.simulator.model.places import BusLine, BusTrip, Place, PlaceKind
from healthcode.simulator.model.transit import Ride, Stops, build_lines

Position = tuple[float, float]

HOUSEHOLD_SIZES: Final = ((1, 0.25), (2, 0.30), (3, 0.21), (4, 0.13), (5, 0.07), (6, 0.04))
"""Shares of households by size; mean 2.59 persons, near the 2.62 of China's 2020 census."""
AGE_BANDS: Final = ((0, 14, 0.1795), (15, 59, 0.6335), (60, 90, 0.1870))
"""Ages by band as China's 2020 census counts them (0–14, 15–59, 60 and over)."""


class Role(StrEnum):
    WORKER = "worker"
    STUDENT = "student"
    AT_HOME = "at_home"
    """Young children, retired people and adults without a workplace."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CityParams:
    """What the city is made of. Places are sized per resident, so a city scales with
    ``population``; ``bus_share`` is the share of workers living far from work who ride."""

    population: int
    jurisdiction: str = "330100"
    radius_km: float = 6.0
    employment: float = 0.8
    team_size: int = 15
    class_size: int = 35
    classes_per_school: int = 12
    residents_per_supermarket: int = 1500
    residents_per_market: int = 2500
    residents_per_restaurant: int = 250
    residents_per_hospital: int = 20000
    residents_per_bus_line: int = 2500
    bus_share: float = 0.7
    walk_km: float = 1.5
    ping_consent: float = 0.6


@dataclass(frozen=True, slots=True, kw_only=True)
class Resident:
    """A resident: age, role, home, the team or class they spend the working day with, the bus
    rides of their commute, the shops and restaurants they use, and whether their phone sends
    location pings (their consent)."""

    id: int
    household: int
    age: int
    role: Role
    home: int
    day_place: int | None
    ride_out: Ride | None
    ride_back: Ride | None
    start: int
    """Minutes after midnight they start work or school."""
    supermarket: tuple[int, ...]
    market: tuple[int, ...]
    restaurant: tuple[int, ...]
    lunch_place: tuple[int, ...]
    hospital: tuple[int, ...]
    """Each shop, restaurant or hospital they use, as the zones of its floor (places)."""
    pings: bool


@dataclass(frozen=True, kw_only=True)
class City:
    params: CityParams
    seed: int
    places: tuple[Place, ...]
    residents: tuple[Resident, ...]
    lines: tuple[BusLine, ...]
    households: tuple[tuple[int, ...], ...] = field(repr=False)
    """The residents of each household (household id = index)."""

    def of_kind(self, kind: PlaceKind) -> list[Place]:
        return [p for p in self.places if p.kind is kind]

    def trip_places(self) -> dict[int, BusTrip]:
        """Each bus trip by its place id."""
        return {trip.place: trip for line in self.lines for trip in line.trips}


class _Builder:
    def __init__(self, params: CityParams, rng: random.Random) -> None:
        self.params = params
        self.rng = rng
        self.centre = centre_of(params.jurisdiction)
        self.places: list[Place] = []

    def place(self, kind: PlaceKind, site: str, at: tuple[float, float], capacity: int) -> Place:
        made = Place(
            id=len(self.places),
            kind=kind,
            site=site,
            lat=at[0],
            lon=at[1],
            cell=cell_at(*at),
            capacity=capacity,
        )
        self.places.append(made)
        return made

    def spread(self, kind: PlaceKind, count: int, capacity: int) -> list[Place]:
        radius = self.params.radius_km
        return [
            self.place(
                kind, f"{kind.value}-{n + 1}", scatter(self.rng, self.centre, radius), capacity
            )
            for n in range(count)
        ]

    def sites(
        self, kind: PlaceKind, count: int, zones: int, capacity: int
    ) -> list[tuple[int, ...]]:
        """``count`` venues of ``kind``, each a floor of ``zones`` zones (one place each, of
        ``capacity``): people in the same aisle or room meet, the rest of the venue does not."""
        made: list[tuple[int, ...]] = []
        for n in range(count):
            at = scatter(self.rng, self.centre, self.params.radius_km)
            made.append(
                tuple(
                    self.place(kind, f"{kind.value}-{n + 1}", at, capacity).id for _ in range(zones)
                )
            )
        return made

    def finder(self, sites: list[tuple[int, ...]]) -> Callable[[Position], tuple[int, ...]]:
        """Finds the site of ``sites`` nearest a position."""
        near = Nearest([(self.places[z[0]].lat, self.places[z[0]].lon) for z in sites])
        return lambda at: sites[near.index(at)]


@dataclass(frozen=True)
class _Usual:
    """What residents use near them: the nearest venue of each kind, and the bus stops."""

    shop: Callable[[Position], tuple[int, ...]]
    market: Callable[[Position], tuple[int, ...]]
    restaurant: Callable[[Position], tuple[int, ...]]
    hospital: Callable[[Position], tuple[int, ...]]
    stops: Stops
    teams: list[Place]
    classes: list[Place]


def _age(rng: random.Random, adult: bool) -> int:
    if adult:
        return rng.randint(22, 80)
    weights = [share for _, _, share in AGE_BANDS]
    low, high, _ = rng.choices(AGE_BANDS, weights=weights)[0]
    return rng.randint(low, high)


def _role(rng: random.Random, age: int, employment: float) -> Role:
    if 6 <= age <= 17:
        return Role.STUDENT
    if 18 <= age <= 59 and rng.random() < employment:
        return Role.WORKER
    return Role.AT_HOME


def _households(b: _Builder) -> list[tuple[Place, list[int]]]:
    """Homes and their members' ages, until the population is reached."""
    rng, people = b.rng, b.params.population
    sizes, weights = zip(*HOUSEHOLD_SIZES, strict=True)
    homes: list[tuple[Place, list[int]]] = []
    placed = 0
    while placed < people:
        size = min(rng.choices(sizes, weights=weights)[0], people - placed)
        at = scatter(rng, b.centre, b.params.radius_km)
        home = b.place(PlaceKind.HOME, f"estate-{cell_at(*at)}", at, max(size, 1))
        homes.append((home, [_age(rng, n == 0) for n in range(size)]))
        placed += size
    return homes


def _per(population: int, residents_per: int) -> int:
    return max(1, round(population / residents_per))


def build_city(params: CityParams, seed: int) -> City:
    """The city of ``params`` drawn from ``seed`` (pure: no I/O, no clock)."""
    if params.population < 1:
        raise ValueError("population: must be at least 1")
    b = _Builder(params, random.Random(f"city/{seed}"))
    homes = _households(b)
    n = params.population
    shops = b.sites(PlaceKind.SUPERMARKET, _per(n, params.residents_per_supermarket), 8, 20)
    markets = b.sites(PlaceKind.MARKET, _per(n, params.residents_per_market), 6, 20)
    restaurants = b.sites(PlaceKind.RESTAURANT, _per(n, params.residents_per_restaurant), 4, 12)
    hospitals = b.sites(PlaceKind.HOSPITAL, _per(n, params.residents_per_hospital), 10, 30)
    lines, trips = build_lines(
        b.rng, b.centre, params.radius_km, _per(n, params.residents_per_bus_line), len(b.places)
    )
    b.places.extend(trips)
    roles = [[_role(b.rng, age, params.employment) for age in ages] for _, ages in homes]
    workers = sum(r is Role.WORKER for rs in roles for r in rs)
    students = sum(r is Role.STUDENT for rs in roles for r in rs)
    usual = _Usual(
        shop=b.finder(shops),
        market=b.finder(markets),
        restaurant=b.finder(restaurants),
        hospital=b.finder(hospitals),
        stops=Stops(lines),
        teams=b.spread(
            PlaceKind.WORKPLACE, max(1, round(workers / params.team_size)), params.team_size
        ),
        classes=_classes(b, max(1, round(students / params.class_size))),
    )
    residents: list[Resident] = []
    households: list[tuple[int, ...]] = []
    for index, ((home, ages), hroles) in enumerate(zip(homes, roles, strict=True)):
        first = len(residents)
        for age, role in zip(ages, hroles, strict=True):
            residents.append(_resident(b, usual, len(residents), index, home, age, role))
        households.append(tuple(range(first, len(residents))))
    return City(
        params=params,
        seed=seed,
        places=tuple(b.places),
        residents=tuple(residents),
        lines=tuple(lines),
        households=tuple(households),
    )


def _resident(
    b: _Builder, usual: _Usual, rid: int, household: int, home: Place, age: int, role: Role
) -> Resident:
    at = (home.lat, home.lon)
    day: Place | None = None
    if role is Role.WORKER:
        day = b.rng.choice(usual.teams)
    elif role is Role.STUDENT:
        day = b.rng.choice(usual.classes)
    out, back = _commute(b, usual.stops, at, day, role)
    return Resident(
        id=rid,
        household=household,
        age=age,
        role=role,
        home=home.id,
        day_place=day.id if day else None,
        ride_out=out,
        ride_back=back,
        start=b.rng.choice((450, 480, 510, 540, 570)) if role is Role.WORKER else 470,
        supermarket=usual.shop(at),
        market=usual.market(at),
        restaurant=usual.restaurant(at),
        lunch_place=usual.restaurant((day.lat, day.lon)) if day else (),
        hospital=usual.hospital(at),
        pings=b.rng.random() < b.params.ping_consent,
    )


def _classes(b: _Builder, count: int) -> list[Place]:
    """School classes, ``classes_per_school`` to a school (they share its site and position)."""
    per = b.params.classes_per_school
    schools = [
        scatter(b.rng, b.centre, b.params.radius_km) for _ in range((count + per - 1) // per)
    ]
    return [
        b.place(
            PlaceKind.SCHOOL_CLASS, f"school-{n // per + 1}", schools[n // per], b.params.class_size
        )
        for n in range(count)
    ]


def _commute(
    b: _Builder, stops: Stops, home: Position, day: Place | None, role: Role
) -> tuple[Ride | None, Ride | None]:
    """The rides of a worker who lives farther than a walk from work and takes the bus."""
    if role is not Role.WORKER or day is None:
        return None, None
    work = (day.lat, day.lon)
    if km_between(home, work) <= b.params.walk_km or b.rng.random() >= b.params.bus_share:
        return None, None
    out, back = stops.best_ride(home, work), stops.best_ride(work, home)
    if out is None or back is None:
        return None, None
    return out, back
