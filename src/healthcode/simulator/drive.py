"""Driving the real system in virtual time: the synthetic city's venues are registered with place
codes, its residents register as citizens, and their days become check-ins and bus rides, each
through the same use case the API calls, with the clock set to the moment it happens.

Positive PCR results of the cases who get tested reach the system too (the laboratory's feed: a
positive result turns the code red under the bundled policies), so a case still out when its
result arrives is stopped at the next door. Other things happen among the residents' events as
``Timed`` acts: the health office's decisions and the worker's passes (``simulator.office``);
staying home by colour is the loop's (``simulator.loop``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final

from healthcode.codes.keys import init_keys, list_keys
from healthcode.codes.ports import PrivateKeyStore
from healthcode.identity.registration import Register, register_person
from healthcode.jobs.model import JobKinds
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.regions import time_zone
from healthcode.oversight.kinds import ProposalKinds
from healthcode.presence.checkins import PlaceScan, check_in
from healthcode.presence.locations import import_pings
from healthcode.presence.model import Venue
from healthcode.presence.transit import Ride, record_ride
from healthcode.presence.venues import VenueDetails, add_organisation, add_venue
from healthcode.simulator.model.city import City
from healthcode.simulator.model.disease import DAY, Course
from healthcode.simulator.model.epidemic import Outbreak, visits_of_day
from healthcode.simulator.model.people import identities
from healthcode.simulator.model.pings import PhonePing, pings_of
from healthcode.simulator.model.places import VENUE_KIND, BusTrip, Place, PlaceKind
from healthcode.simulator.model.schedules import Visit
from healthcode.simulator.ports import SettableClock, SimulatorUnitOfWork
from healthcode.status.test_results import record_test_result

KIND_ZH: Final[dict[PlaceKind, str]] = {
    PlaceKind.WORKPLACE: "办公室",
    PlaceKind.SCHOOL_CLASS: "学校",
    PlaceKind.SUPERMARKET: "超市",
    PlaceKind.MARKET: "农贸市场",
    PlaceKind.RESTAURANT: "餐厅",
    PlaceKind.HOSPITAL: "医院",
    PlaceKind.BUS_TRIP: "公交线路",
}
PING_BATCH: Final = 50_000
"""Pings in one upload (the location feed takes up to 100,000)."""
OPERATOR: Final = "模拟城市场所运营中心"
"""The one organisation that operates the synthetic city's venues."""


@dataclass(frozen=True, kw_only=True)
class System:
    """The running system as the simulator reaches it: units of work, the virtual clock, the
    private-key store (place codes are signed), the jurisdiction it serves, and the tables the
    bootstrap wires (which the simulator may not import): proposal kinds and job kinds."""

    uow: Callable[[], SimulatorUnitOfWork]
    clock: SettableClock
    private_keys: PrivateKeyStore
    jurisdiction: str
    proposal_kinds: ProposalKinds | None = None
    """The kinds of four-eyes proposal: the health office reports and confirms cases by them."""
    job_kinds: JobKinds | None = None
    """The worker's kinds of job: given them, a run plays the worker's passes (tracing)."""


@dataclass(frozen=True, kw_only=True)
class Enrolment:
    """What the system knows the city by: each resident's subject (index = resident id) and the
    venue of each site (a shop, a school, an office, a bus line)."""

    subjects: tuple[str, ...]
    venues: dict[str, Venue]


@dataclass(frozen=True, kw_only=True)
class DayPlan:
    """Day ``day`` of the run to send: everyone's visits, and the courses whose positive result
    is known that day."""

    day: int
    visits: tuple[Visit, ...]
    results: tuple[Course, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DayRecord:
    """What a played day sent: check-ins (and how many were stopped at the door, by the colour
    the system gave the person), rides and positive results."""

    checkins: int
    stopped: int
    rides: int
    positives: int
    pings: int = 0
    stays: int = 0
    """Location pings of the consenting residents' phones, and the stays they made."""
    turned_away: frozenset[Visit] = frozenset()
    """The visits whose check-in was answered stop: the person went home instead."""


def run_start(jurisdiction: str, day: date) -> datetime:
    """Minute 0 of a run starting on ``day``: local midnight in the jurisdiction."""
    return datetime.combine(day, time(0), tzinfo=time_zone(jurisdiction))


def enrol(system: System, city: City, *, start: datetime) -> Enrolment:
    """Set a fresh database up for ``city`` at ``start``: the jurisdiction's keys (unless it has
    keys from ``start`` on), a venue (with its place code) for each site, and every resident
    registered, with their location consent."""
    system.clock.set(start)
    keys = list_keys(uow=system.uow(), jurisdiction=system.jurisdiction)
    if not keys:
        init_keys(
            uow=system.uow(),
            clock=system.clock,
            private_keys=system.private_keys,
            jurisdiction=system.jurisdiction,
        )
    elif min(k.valid_from for k in keys) > start:
        raise InvalidInput.one(
            "start",
            f"the jurisdiction's keys sign from {min(k.valid_from for k in keys).isoformat()}: "
            "place codes cannot be signed before; enrol the city on a database without keys",
        )
    operator = add_organisation(
        uow=system.uow(), clock=system.clock, jurisdiction=system.jurisdiction, name=OPERATOR
    )
    venues = {site: _venue(system, operator.id, place) for site, place in _sites(city).items()}
    subjects: list[str] = []
    for person in identities(city, today=start.date()):
        resident = city.residents[person.resident]
        registered = register_person(
            uow=system.uow(),
            clock=system.clock,
            jurisdiction=system.jurisdiction,
            person=Register(
                name=person.name,
                id_type="resident",
                id_number=person.id_number,
                phone=person.phone,
                address=person.address,
                consent_location=resident.pings,
                district=person.district,
            ),
        )
        subjects.append(registered.subject)
    return Enrolment(subjects=tuple(subjects), venues=venues)


def _sites(city: City) -> dict[str, Place]:
    """The first place of each site but homes (nobody checks in at their own door)."""
    sites: dict[str, Place] = {}
    for place in city.places:
        if place.kind is not PlaceKind.HOME:
            sites.setdefault(place.site, place)
    return sites


def _venue(system: System, operator: str, place: Place) -> Venue:
    number = place.site.rsplit("-", 1)[-1]
    return add_venue(
        uow=system.uow(),
        clock=system.clock,
        private_keys=system.private_keys,
        jurisdiction=system.jurisdiction,
        details=VenueDetails(
            organisation_id=operator,
            name_zh=f"{KIND_ZH[place.kind]}{number}号",
            name_en=place.site,
            kind=VENUE_KIND[place.kind].value,
            lat=place.lat,
            lon=place.lon,
        ),
    )


@dataclass(frozen=True)
class Timed:
    """Something else that happens at ``minute`` of the run (an official deciding, a pass of
    the worker): played in time order with the residents' events, after those of its minute."""

    minute: int
    act: Callable[[], object]


Event = tuple[int, int, "Visit | Course | Timed"]
"""When (minute of the run), whose (resident; ``LAST`` for a timed act), what."""
LAST: Final = 1 << 30


@dataclass
class DayTally:
    """What a day has sent so far (``DayRecord`` once the day is over)."""

    checkins: int = 0
    rides: int = 0
    positives: int = 0
    acts: int = 0
    turned_away: set[Visit] = field(default_factory=set)


def day_events(city: City, day: DayPlan, extras: Iterable[Timed] = ()) -> list[Event]:
    """The day's events in the order they are sent: a check-in on arriving anywhere but home,
    a ride on leaving a bus, a positive result when the laboratory knows it, and ``extras``."""
    trips = city.trip_places()
    events: list[Event] = [
        (v.end if v.place in trips else v.start, v.person, v)
        for v in day.visits
        if city.places[v.place].kind is not PlaceKind.HOME
    ]
    events += [(c.result_at, c.person, c) for c in day.results if c.result_at is not None]
    events += [(t.minute, LAST, t) for t in extras]
    events.sort(key=event_order)
    return events


def event_order(event: Event) -> tuple[int, int, bool]:
    """Events by minute, then resident (a result after the resident's visit of its minute),
    timed acts last."""
    return event[0], event[1], isinstance(event[2], Course)


def send(
    system: System,
    city: City,
    enrolment: Enrolment,
    events: Iterable[Event],
    *,
    start: datetime,
    tally: DayTally,
) -> None:
    """Send ``events`` in order, each with the clock at its moment, counting them in ``tally``."""
    trips = city.trip_places()
    for minute, person, event in events:
        system.clock.set(start + timedelta(minutes=minute))
        if isinstance(event, Timed):
            event.act()
            tally.acts += 1
            continue
        subject = enrolment.subjects[person]
        if isinstance(event, Course):
            _positive(system, subject, event, start)
            tally.positives += 1
            continue
        venue = enrolment.venues[city.places[event.place].site]
        if event.place in trips:
            _ride(system, subject, venue, trips[event.place], event, start)
            tally.rides += 1
        else:
            if _check_in(system, subject, venue) == "stop":
                tally.turned_away.add(event)
            tally.checkins += 1


def finish_day(
    system: System,
    city: City,
    enrolment: Enrolment,
    day: DayPlan,
    *,
    start: datetime,
    tally: DayTally,
) -> DayRecord:
    """At 23:59, the consenting residents' location pings in one batch (the app's daily
    upload; a resident turned away at a door was at home then); what the day sent."""
    pings = pings_of(
        city,
        [went_home(city, v) if v in tally.turned_away else v for v in day.visits],
    )
    system.clock.set(start + timedelta(minutes=(day.day + 1) * DAY - 1))
    stays = _upload_pings(system, enrolment, pings, start) if pings else 0
    return DayRecord(
        checkins=tally.checkins,
        stopped=len(tally.turned_away),
        rides=tally.rides,
        positives=tally.positives,
        pings=len(pings),
        stays=stays,
        turned_away=frozenset(tally.turned_away),
    )


def play_day(
    system: System,
    city: City,
    enrolment: Enrolment,
    day: DayPlan,
    *,
    start: datetime,
) -> DayRecord:
    """Send a day to the system in time order (``day_events``), then its location pings
    (``finish_day``)."""
    tally = DayTally()
    send(system, city, enrolment, day_events(city, day), start=start, tally=tally)
    return finish_day(system, city, enrolment, day, start=start, tally=tally)


def went_home(city: City, visit: Visit) -> Visit:
    """The visit spent at home instead (the person was turned away at the door)."""
    return Visit(visit.person, city.residents[visit.person].home, visit.start, visit.end)


def _upload_pings(
    system: System, enrolment: Enrolment, pings: list[PhonePing], start: datetime
) -> int:
    """Send ``pings`` through the location feed's use case, in batches it accepts; the stays
    stored."""
    stays = 0
    for first in range(0, len(pings), PING_BATCH):
        items = [
            (
                f"pings[{first + n}]",
                {
                    "subject": enrolment.subjects[p.person],
                    "lat": p.lat,
                    "lon": p.lon,
                    "at": start + timedelta(minutes=p.minute),
                    "source": "gps",
                },
            )
            for n, p in enumerate(pings[first : first + PING_BATCH])
        ]
        receipt = import_pings(
            uow=system.uow(), clock=system.clock, jurisdiction=system.jurisdiction, items=items
        )
        stays += receipt.stays
    return stays


def _check_in(system: System, subject: str, venue: Venue) -> str:
    result = check_in(
        uow=system.uow(),
        clock=system.clock,
        jurisdiction=system.jurisdiction,
        subject=subject,
        scan=PlaceScan(place_code=venue.place_code, lat=venue.lat, lon=venue.lon),
    )
    return result.checkin.outcome


def _positive(system: System, subject: str, course: Course, start: datetime) -> None:
    assert course.sampled_at is not None  # noqa: S101 - only tested courses have a result
    record_test_result(
        uow=system.uow(),
        clock=system.clock,
        subject=subject,
        test_kind="pcr",
        result="positive",
        sampled_at=start + timedelta(minutes=course.sampled_at),
    )


def _ride(
    system: System, subject: str, line: Venue, trip: BusTrip, visit: Visit, start: datetime
) -> None:
    record_ride(
        uow=system.uow(),
        clock=system.clock,
        jurisdiction=system.jurisdiction,
        subject=subject,
        ride=Ride(
            line=line.id,
            vehicle=trip.vehicle,
            boarded_at=start + timedelta(minutes=visit.start),
            alighted_at=start + timedelta(minutes=visit.end),
        ),
    )


def plan_days(city: City, outbreak: Outbreak, *, first_weekday: int) -> Iterator[DayPlan]:
    """The days of an outbreak as the system will see them: everyone's visits (cases isolated
    from the day after their sample) and the positive results known that day."""
    results: dict[int, list[Course]] = {}
    for course in outbreak.courses.values():
        if course.result_at is not None and 0 <= course.result_at < outbreak.days * DAY:
            results.setdefault(course.result_at // DAY, []).append(course)
    for day in range(outbreak.days):
        visits = visits_of_day(city, day, first_weekday, outbreak.courses)
        yield DayPlan(day=day, visits=tuple(visits), results=tuple(results.get(day, ())))
