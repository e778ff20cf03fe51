"""The synthetic city and its residents' days (pure model, no I/O)."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import h3
import pytest

from healthcode.kernel.regions import CENTRES
from healthcode.simulator.model.city import City, CityParams, Role, build_city
from healthcode.simulator.model.geography import Nearest, km_between, scatter
from healthcode.simulator.model.pings import PING_EVERY, pings_of, uploads
from healthcode.simulator.model.places import PlaceKind
from healthcode.simulator.model.schedules import DAY, day_visits


@pytest.fixture(scope="module")
def city() -> City:
    return build_city(CityParams(population=1500, jurisdiction="310000"), seed=3)


def test_same_seed_same_city(city: City) -> None:
    """The same parameters and seed build the same city, a different seed another one."""
    again = build_city(CityParams(population=1500, jurisdiction="310000"), seed=3)
    other = build_city(CityParams(population=1500, jurisdiction="310000"), seed=4)
    assert again == city
    assert other.places != city.places


def test_population_households_and_ages(city: City) -> None:
    """The city holds exactly its population, in households each headed by an adult."""
    assert len(city.residents) == 1500
    assert sum(len(h) for h in city.households) == 1500
    assert all(city.residents[h[0]].age >= 18 for h in city.households)
    mean = 1500 / len(city.households)
    assert 2.3 < mean < 2.9


def test_homes_are_real_cells_around_the_centre(city: City) -> None:
    """Homes stand at valid resolution-8 H3 cells within the city's radius of Shanghai's centre."""
    lat, lon, _ = CENTRES["310000"]
    homes = city.of_kind(PlaceKind.HOME)
    assert homes
    for home in homes:
        assert h3.is_valid_cell(home.cell)
        assert h3.get_resolution(home.cell) == 8
        assert h3.latlng_to_cell(home.lat, home.lon, 8) == home.cell
        assert km_between((lat, lon), (home.lat, home.lon)) <= 6.0 + 0.01


def test_every_kind_of_place_exists(city: City) -> None:
    """Workplaces, school classes, shops, markets, restaurants, a hospital and bus trips exist."""
    kinds = Counter(p.kind for p in city.places)
    assert set(kinds) == set(PlaceKind)
    assert city.lines and all(len(line.stops) > 2 for line in city.lines)
    assert all(h3.is_valid_cell(c) for line in city.lines for c in line.stops)
    vehicles = {t.vehicle for line in city.lines for t in line.trips}
    assert 1 < len(vehicles) < sum(len(line.trips) for line in city.lines)


def test_roles_follow_ages(city: City) -> None:
    """School-age residents are students; workers are of working age and have a workplace."""
    for r in city.residents:
        if 6 <= r.age <= 17:
            assert r.role is Role.STUDENT
        if r.role is Role.WORKER:
            assert 18 <= r.age <= 59
            assert city.places[r.day_place or 0].kind is PlaceKind.WORKPLACE
    consenting = sum(r.pings for r in city.residents) / len(city.residents)
    assert 0.5 < consenting < 0.7


def test_a_day_is_contiguous_and_ends_at_home(city: City) -> None:
    """A resident's day is non-overlapping visits that start and end at home within the day."""
    for r in city.residents[:300]:
        for day, weekend in ((2, False), (5, True)):
            visits = day_visits(city, r, day, weekend=weekend)
            assert visits[0].place == r.home and visits[0].start == day * DAY
            assert visits[-1].place == r.home and visits[-1].end == (day + 1) * DAY
            for a, b in itertools.pairwise(visits):
                assert a.end <= b.start and a.start < a.end


def test_workday_commutes_by_bus_to_work(city: City) -> None:
    """A bus commuter's weekday rides a trip of their line out, works, and rides back."""
    commuter = next(r for r in city.residents if r.ride_out is not None)
    visits = day_visits(city, commuter, 1, weekend=False)
    kinds = [city.places[v.place].kind for v in visits]
    assert kinds.count(PlaceKind.BUS_TRIP) == 2
    assert PlaceKind.WORKPLACE in kinds
    first_bus = kinds.index(PlaceKind.BUS_TRIP)
    assert kinds[first_bus + 1] is PlaceKind.WORKPLACE


def test_weekend_has_no_work_or_school(city: City) -> None:
    """Nobody goes to work or school at the weekend; some go shopping or out to dinner."""
    kinds = Counter(
        city.places[v.place].kind
        for r in city.residents
        for v in day_visits(city, r, 6, weekend=True)
    )
    assert kinds[PlaceKind.WORKPLACE] == kinds[PlaceKind.SCHOOL_CLASS] == 0
    assert kinds[PlaceKind.SUPERMARKET] > 0 and kinds[PlaceKind.RESTAURANT] > 0


def test_unknown_jurisdiction_is_refused() -> None:
    """A city cannot be built around a jurisdiction whose centre is not known."""
    with pytest.raises(ValueError, match="jurisdiction"):
        build_city(CityParams(population=10, jurisdiction="440100"), seed=1)


def test_nearest_finds_the_same_point_as_comparing_all() -> None:
    """The bucketed nearest-point search agrees with comparing every point, in both cities."""
    rng = random.Random(9)  # noqa: S311 - a seeded draw
    for centre in ((30.2741, 120.1551), (39.9042, 116.4074)):
        points = [scatter(rng, centre, 8.0) for _ in range(700)]
        near = Nearest(points)
        for _ in range(500):
            at = scatter(rng, centre, 12.0)
            brute = min(range(len(points)), key=lambda i: (km_between(at, points[i]), i))
            assert near.index(at) == brute


def test_commuters_ride_forward_within_a_walk_of_their_stops(city: City) -> None:
    """A commute boards before it alights, on stops within two cells of home and of work."""
    riders = [r for r in city.residents if r.ride_out is not None]
    assert riders
    for r in riders:
        assert r.ride_out is not None and r.ride_back is not None
        assert r.ride_out.board < r.ride_out.alight and r.ride_back.board < r.ride_back.alight
        line = city.lines[r.ride_out.line]
        home = city.places[r.home]
        assert h3.grid_distance(home.cell, line.stops[r.ride_out.board]) <= 2
        work = city.places[r.day_place or 0]
        assert h3.grid_distance(work.cell, line.stops[r.ride_out.alight]) <= 2


def test_only_consenting_phones_ping_and_riders_ping_at_their_stops(city: City) -> None:
    """Consenting phones only ping: at each end of a visit and between; a ride's at its stops."""
    visits = [v for r in city.residents for v in day_visits(city, r, 1, weekend=False)]
    pings = pings_of(city, visits)
    consenting = [v for v in visits if city.residents[v.person].pings]
    trips = city.trip_places()
    between = sum(
        len(range(v.start + PING_EVERY, max(v.start, v.end - 1), PING_EVERY))
        for v in consenting
        if v.place not in trips
    )
    assert between > 0 and len(pings) == 2 * len(consenting) + between
    assert {p.person for p in pings} == {v.person for v in consenting}
    rider = next(r for r in city.residents if r.pings and r.ride_out is not None)
    ride = rider.ride_out
    assert ride is not None
    line = city.lines[ride.line]
    morning = [p for p in pings if p.person == rider.id]
    home = city.residents[rider.id].home
    first_home = next(v for v in visits if v.person == rider.id and v.place == home)
    at_home = 2 + len(range(first_home.start + PING_EVERY, first_home.end - 1, PING_EVERY))
    cells = [h3.latlng_to_cell(p.lat, p.lon, 8) for p in morning[at_home : at_home + 2]]
    assert cells == [line.stops[ride.board], line.stops[ride.alight]]


def test_each_phones_day_goes_whole_in_one_upload(city: City) -> None:
    """Uploads hold whole phones' days in time order, every ping once, none over the limit."""
    visits = [v for r in city.residents for v in day_visits(city, r, 1, weekend=False)]
    pings = pings_of(city, visits)
    sent = list(uploads(pings, limit=100))
    assert len(sent) > 3 and all(0 < len(u) <= 100 for u in sent)
    assert Counter(p for u in sent for p in u) == Counter(pings)
    phones = [{p.person for p in u} for u in sent]
    assert all(a.isdisjoint(b) for n, a in enumerate(phones) for b in phones[n + 1 :])
    for upload in sent:
        assert upload == sorted(upload, key=lambda p: (p.person, p.minute))
