"""The synthetic city driven through the real use cases in virtual time, on a fresh database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from healthcode.container import Container
from healthcode.identity.model import LOCATION_CONSENT_PURPOSE
from healthcode.kernel.facts import Colour, FactKind, Presence
from healthcode.kernel.regions import local_date
from healthcode.presence.cells import cell_of
from healthcode.presence.stays import Ping, Stay, merge_stays
from healthcode.simulator import acts
from healthcode.simulator.acts import upload_pings
from healthcode.simulator.checkpoints import has_checkpoint
from healthcode.simulator.drive import (
    DayPlan,
    Enrolment,
    System,
    enrol,
    plan_days,
    play_day,
    run_start,
)
from healthcode.simulator.model.city import City, CityParams, build_city
from healthcode.simulator.model.disease import DAY
from healthcode.simulator.model.epidemic import OutbreakParams, run_outbreak
from healthcode.simulator.model.pings import PhonePing, pings_of
from healthcode.simulator.model.places import PlaceKind
from healthcode.simulator.model.schedules import Visit, day_visits
from healthcode.status.assessment import status_now

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


def test_a_venue_is_named_by_its_kind_and_number_in_both_languages(enrolled: Enrolment) -> None:
    """A shop's English name is words, not its site id; a bus line is named as riders say it."""
    shop = enrolled.venues["supermarket-1"]
    assert (shop.name_zh, shop.name_en) == ("超市1号", "Supermarket No. 1")
    line = next(v for site, v in enrolled.venues.items() if site.startswith("bus-"))
    number = line.name_en.removeprefix("Bus line ")
    assert number.isdigit()
    assert line.name_zh == f"{number}路公交"
    assert not any(v.name_en in enrolled.venues for v in enrolled.venues.values())


def test_checkpoints_stand_at_the_sites_drawn_for_them(
    container: Container, city: City, enrolled: Enrolment
) -> None:
    """Each site drawn to have a checkpoint has a registered, active device; a few have none."""
    assert set(enrolled.devices) == {s for s in enrolled.venues if has_checkpoint(s)}
    sites = [f"{kind}-{n}" for kind in ("supermarket", "bus") for n in range(1, 501)]
    assert 0.01 < sum(not has_checkpoint(s) for s in sites) / len(sites) < 0.04
    with container.uow() as uow:
        for site, device in enrolled.devices.items():
            stored = uow.venues.device(device)
            assert stored is not None and stored.active
            assert stored.venue_id == enrolled.venues[site].id


@pytest.mark.parametrize("checkpoints", [True, False], ids=["scans", "phones"])
def test_a_day_becomes_checkins_and_rides_at_their_times(
    container: Container, city: City, enrolled: Enrolment, checkpoints: bool
) -> None:
    """A weekday's visits are presences at their times: checkpoint scans, or check-ins and rides."""
    start = run_start("330100", MONDAY)
    if not checkpoints:  # the same city with place-code posters only
        enrolled = replace(enrolled, devices={})
    visits: list[Visit] = [v for r in city.residents for v in day_visits(city, r, 0, weekend=False)]
    away = [v for v in visits if city.places[v.place].kind is not PlaceKind.HOME]
    rides = [v for v in away if city.places[v.place].kind is PlaceKind.BUS_TRIP]
    assert rides, "the test city has bus commuters"
    record = play_day(
        _system(container), city, enrolled, DayPlan(day=0, visits=tuple(visits)), start=start
    )
    assert (record.checkins, record.rides) == (len(away) - len(rides), len(rides))
    scanned = [v for v in away if city.places[v.place].site in enrolled.devices]
    assert record.scans == len(scanned) == (len(away) if checkpoints else 0)
    assert record.stopped == 0  # everyone is green: nobody has been reported
    assert local_date(container.clock.now(), "330100") == MONDAY
    commuter = city.residents[rides[0].person]
    mine = [v for v in away if v.person == commuter.id]
    stored = [p for p in _presences(container, enrolled.subjects[commuter.id]) if p.source != "gps"]
    assert [p.at for p in stored] == [start + timedelta(minutes=v.start) for v in mine]
    trips = {t.place: t for line in city.lines for t in line.trips}
    for presence, visit in zip(stored, mine, strict=True):
        venue = enrolled.venues[city.places[visit.place].site]
        if city.places[visit.place].site in enrolled.devices:
            assert presence.source == "scan"
            vehicle = trips[visit.place].vehicle if visit.place in trips else None
            assert presence.place_id == (venue.id if vehicle is None else f"{venue.id}:{vehicle}")
        elif visit.place in trips:
            assert presence.source == "transit"
            assert presence.place_id == f"{venue.id}:{trips[visit.place].vehicle}"
            assert presence.until == start + timedelta(minutes=visit.end)
        else:
            assert presence.source == "checkin"
            assert presence.place_id == venue.id


def test_an_outbreak_sends_positive_results_that_turn_codes_red(
    container: Container, city: City, enrolled: Enrolment
) -> None:
    """Cases' positive results reach the system when known, their codes turn red, they stay in."""
    start = run_start("330100", MONDAY)
    outbreak = run_outbreak(city, OutbreakParams(days=3, seeded=30, seed_spread_days=8), seed=5)
    system = _system(container)
    records = [
        play_day(system, city, enrolled, plan, start=start)
        for plan in plan_days(city, outbreak, first_weekday=0)
    ]
    reported = [
        c
        for c in outbreak.courses.values()
        if c.result_at is not None and 0 <= c.result_at < 3 * DAY
    ]
    assert reported, "the seeded cases include some whose result falls in the run"
    assert sum(r.positives for r in records) == len(reported)
    with container.uow() as uow:
        for course in reported:
            subject = enrolled.subjects[course.person]
            assert status_now(uow, clock=container.clock, subject=subject).colour is Colour.RED
    for course in reported:
        assert course.sampled_at is not None
        isolated_from = start + timedelta(days=course.sampled_at // DAY + 1)
        later = [
            p
            for p in _presences(container, enrolled.subjects[course.person])
            if p.at >= isolated_from
        ]
        assert later == []


def test_symptomatic_residents_declare_their_symptoms(
    container: Container, city: City, enrolled: Enrolment
) -> None:
    """Declarers' symptoms reach the system as fever declarations at their onset."""
    start = run_start("330100", MONDAY)
    outbreak = run_outbreak(city, OutbreakParams(days=3, seeded=30, seed_spread_days=8), seed=5)
    plans = list(plan_days(city, outbreak, first_weekday=0))
    declared = [d for plan in plans for d in plan.declarations]
    assert declared and all(d.fever for d in declared)
    system = _system(container)
    records = [play_day(system, city, enrolled, plan, start=start) for plan in plans]
    assert sum(r.declarations for r in records) == len(declared)
    with container.uow() as uow:
        for d in declared:
            facts = uow.facts.for_subject(
                enrolled.subjects[d.person], kinds=[FactKind.HEALTH_DECLARATION]
            )
            assert [f.at for f in facts] == [start + timedelta(minutes=d.minute)]


def test_consenting_phones_send_their_day_as_stays(
    container: Container, city: City, enrolled: Enrolment
) -> None:
    """Phones of consenting residents upload the day's pings; they become stays where they were."""
    start = run_start("330100", MONDAY)
    visits = [v for r in city.residents for v in day_visits(city, r, 0, weekend=False)]
    pings = pings_of(city, visits)
    record = play_day(
        _system(container), city, enrolled, DayPlan(day=0, visits=tuple(visits)), start=start
    )
    assert record.pings == len(pings) > 0 and record.stays > 0
    stops = {cell for line in city.lines for cell in line.stops}
    for resident in city.residents:
        gps = [
            p for p in _presences(container, enrolled.subjects[resident.id]) if p.source == "gps"
        ]
        if not resident.pings:
            assert gps == []
            continue
        assert gps
        visited = {city.places[v.place].cell for v in visits if v.person == resident.id}
        assert {p.cell for p in gps} <= visited | stops
        assert all(start <= p.at <= p.until < start + timedelta(days=1) for p in gps)


def _stays_at_once(enrolled: Enrolment, pings: list[PhonePing], start: datetime) -> list[Stay]:
    """The stays the pings make when the whole city's are merged at once."""
    utc = start.astimezone(UTC)
    return merge_stays(
        Ping(
            subject=enrolled.subjects[p.person],
            lat=p.lat,
            lon=p.lon,
            at=utc + timedelta(minutes=p.minute),
            source="gps",
            cell=cell_of(p.lat, p.lon),
        )
        for p in pings
    )


def test_a_phones_day_is_not_cut_where_an_upload_ends(
    container: Container, city: City, enrolled: Enrolment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Uploads of a few phones each store the same stays as one upload of the whole city."""
    start = run_start("330100", MONDAY)
    visits = [v for r in city.residents for v in day_visits(city, r, 0, weekend=False)]
    pings = pings_of(city, visits)
    whole = _stays_at_once(enrolled, pings, start)
    monkeypatch.setattr(acts, "PING_BATCH", 50)
    container.clock.set(start + timedelta(minutes=DAY - 1))  # type: ignore[attr-defined]
    stored = upload_pings(_system(container), enrolled.subjects, pings, start)
    assert len(pings) > 50 * 3 and stored == len(whole)
    for resident in (r for r in city.residents if r.pings):
        subject = enrolled.subjects[resident.id]
        gps = [(p.cell, p.at, p.until) for p in _presences(container, subject)]
        assert gps == [(s.cell, s.at, s.until) for s in whole if s.subject == subject]
