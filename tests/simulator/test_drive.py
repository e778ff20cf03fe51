"""The synthetic city driven through the real use cases in virtual time, on a fresh database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from healthcode.container import Container
from healthcode.identity.model import LOCATION_CONSENT_PURPOSE
from healthcode.kernel.facts import FactKind, Presence
from healthcode.kernel.regions import local_date
from healthcode.simulator.drive import Enrolment, System, enrol, play_day, run_start
from healthcode.simulator.model.city import City, CityParams, build_city
from healthcode.simulator.model.places import PlaceKind
from healthcode.simulator.model.schedules import Visit, day_visits

MONDAY = date(2026, 3, 2)


def _system(container: Container) -> System:
    return System(
        uow=container.uow,
        clock=container.clock,  # type: ignore[arg-type]
        private_keys=container.private_keys,
        jurisdiction="330100",
    )


def _presences(container: Container, subject: str) -> list[Presence]:
    with container.uow() as uow:
        facts = uow.facts.for_subject(subject, kinds=[FactKind.PRESENCE])
    return sorted((f for f in facts if isinstance(f, Presence)), key=lambda p: p.at)


@pytest.fixture
def city() -> City:
    return build_city(CityParams(population=60), seed=11)


@pytest.fixture
def enrolled(container: Container, city: City) -> Enrolment:
    return enrol(_system(container), city, start=run_start("330100", MONDAY))


def test_residents_register_as_citizens_with_their_consent(
    container: Container, city: City, enrolled: Enrolment
) -> None:
    """Every resident is a registered citizen; those whose phones ping consented to location."""
    assert len(set(enrolled.subjects)) == len(city.residents)
    with container.uow() as uow:
        for resident, subject in zip(city.residents, enrolled.subjects, strict=True):
            person = uow.persons.get(subject)
            assert person is not None and person.jurisdiction == "330100"
            consented = any(
                c.purpose == LOCATION_CONSENT_PURPOSE for c in uow.persons.consents(subject)
            )
            assert consented is resident.pings


def test_every_site_is_a_venue_with_a_place_code(city: City, enrolled: Enrolment) -> None:
    """Each shop, school, office and bus line of the city is a venue with its signed place code."""
    sites = {p.site for p in city.places if p.kind is not PlaceKind.HOME}
    assert set(enrolled.venues) == sites
    kinds = {v.kind.value for v in enrolled.venues.values()}
    assert {"bus_route", "office", "school", "supermarket", "restaurant"} <= kinds
    assert all(v.place_code.startswith("HZP1:") for v in enrolled.venues.values())


def test_a_day_becomes_checkins_and_rides_at_their_times(
    container: Container, city: City, enrolled: Enrolment
) -> None:
    """A played weekday stores each resident's visits as presences at the virtual times."""
    start = run_start("330100", MONDAY)
    visits: list[Visit] = [v for r in city.residents for v in day_visits(city, r, 0, weekend=False)]
    away = [v for v in visits if city.places[v.place].kind is not PlaceKind.HOME]
    rides = [v for v in away if city.places[v.place].kind is PlaceKind.BUS_TRIP]
    assert rides, "the test city has bus commuters"
    record = play_day(_system(container), city, enrolled, visits, start=start)
    assert (record.checkins, record.rides) == (len(away) - len(rides), len(rides))
    assert record.stopped == 0  # everyone is green: nobody has been reported
    assert local_date(container.clock.now(), "330100") == MONDAY
    commuter = city.residents[rides[0].person]
    mine = [v for v in away if v.person == commuter.id]
    stored = _presences(container, enrolled.subjects[commuter.id])
    assert [p.at for p in stored] == [start + timedelta(minutes=v.start) for v in mine]
    trips = {t.place: t for line in city.lines for t in line.trips}
    for presence, visit in zip(stored, mine, strict=True):
        venue = enrolled.venues[city.places[visit.place].site]
        if visit.place in trips:
            assert presence.source == "transit"
            assert presence.place_id == f"{venue.id}:{trips[visit.place].vehicle}"
            assert presence.until == start + timedelta(minutes=visit.end)
        else:
            assert presence.source == "checkin"
            assert presence.place_id == venue.id
