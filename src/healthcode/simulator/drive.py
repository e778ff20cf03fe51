"""Driving the real system in virtual time: the synthetic city's venues are registered with place
codes, its residents register as citizens, and their days become check-ins and bus rides, each
through the same use case the API calls, with the clock set to the moment it happens.

Positive PCR results of the cases who get tested reach the system too (the laboratory's feed: a
positive result turns the code red under the bundled policies), so a case still out when its
result arrives is stopped at the next door. Other things happen among the residents' events as
``Timed`` acts: the health office's decisions and the worker's passes (``simulator.office``);
staying home by colour is the loop's (``simulator.loop``)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from healthcode.simulator.acts import (
    System,
    declare,
    phone_check_in,
    positive,
    ride,
    upload_pings,
)
from healthcode.simulator.checkpoints import UPLOAD_EVERY, Doors, scan_of
from healthcode.simulator.enrolment import OPERATOR, Enrolment, enrol, run_start
from healthcode.simulator.model.city import City
from healthcode.simulator.model.disease import DAY, Course
from healthcode.simulator.model.epidemic import Outbreak, visits_of_day
from healthcode.simulator.model.pings import pings_of
from healthcode.simulator.model.places import PlaceKind
from healthcode.simulator.model.schedules import Visit

__all__ = ["OPERATOR", "Enrolment", "System", "enrol", "run_start"]


@dataclass(frozen=True, kw_only=True)
class DayPlan:
    """Day ``day`` of the run to send: everyone's visits, and the courses whose positive result
    is known that day."""

    day: int
    visits: tuple[Visit, ...]
    results: tuple[Course, ...] = ()
    declarations: tuple[Declaration, ...] = ()
    """Health declarations: symptoms on the day they begin (of residents who declare them),
    and the daily normal ones of restricted residents who clock in."""


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
    scans: int = 0
    """Of the check-ins and rides, those scanned at a checkpoint (uploaded in batches)."""
    declarations: int = 0


@dataclass(frozen=True)
class Timed:
    """Something else that happens at ``minute`` of the run (an official deciding, a pass of
    the worker): played in time order with the residents' events, after those of its minute.
    An act that may have changed colours returns a true value."""

    minute: int
    act: Callable[[], object]


@dataclass(frozen=True)
class Declaration:
    """A resident's daily health declaration at ``minute``: symptoms and a fever at their
    onset, or a normal one (a restricted resident clocking in, as the yellow code asks)."""

    person: int
    minute: int
    fever: bool


Event = tuple[int, int, "Visit | Course | Declaration | Timed"]
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
    scans: int = 0
    declarations: int = 0


def day_events(
    city: City,
    day: DayPlan,
    extras: Iterable[Timed] = (),
    *,
    devices: Mapping[str, str] | None = None,
) -> list[Event]:
    """The day's events in the order they are sent: arriving anywhere but home (a scan at a
    checkpoint, a phone check-in elsewhere; on a bus, a scan on boarding a vehicle with a
    checkpoint, else a ride recorded on leaving it), a positive result when the laboratory
    knows it, a declaration at the onset of symptoms, and ``extras``."""
    trips, devices = city.trip_places(), devices or {}
    events: list[Event] = []
    for v in day.visits:
        place = city.places[v.place]
        if place.kind is PlaceKind.HOME:
            continue
        recorded_late = v.place in trips and place.site not in devices
        events.append((v.end if recorded_late else v.start, v.person, v))
    events += [(c.result_at, c.person, c) for c in day.results if c.result_at is not None]
    events += [(d.minute, d.person, d) for d in day.declarations]
    events += [(t.minute, LAST, t) for t in extras]
    events.sort(key=event_order)
    return events


def event_order(event: Event) -> tuple[int, int, bool]:
    """Events by minute, then resident (a result after the resident's visit of its minute),
    timed acts last."""
    return event[0], event[1], not isinstance(event[2], Visit)


def send(
    system: System,
    city: City,
    enrolment: Enrolment,
    events: Iterable[Event],
    *,
    start: datetime,
    tally: DayTally,
    doors: Doors,
) -> None:
    """Send ``events`` in order, each with the clock at its moment, counting them in ``tally``;
    scans at checkpoints are answered by the device and uploaded in batches (``doors``)."""
    trips, devices = city.trip_places(), getattr(enrolment, "devices", {})
    doors.trips = trips
    last = None
    for minute, _person, event in events:
        block = minute // UPLOAD_EVERY
        if doors.queues and block != doors.hour:
            _upload(system, doors, start, block * UPLOAD_EVERY)
        doors.hour, last = block, minute
        if isinstance(event, Visit):
            site = city.places[event.place].site
            if site in devices:
                _scan(system, doors, enrolment, (devices[site], site), event, start, tally)
                tally.scans += 1
                if event.place in trips:
                    tally.rides += 1
                else:
                    tally.checkins += 1
                continue
        system.clock.set(start + timedelta(minutes=minute))
        if isinstance(event, Timed):
            if event.act():
                doors.stale = True
            tally.acts += 1
        else:
            _one(system, city, enrolment, event, start=start, tally=tally, doors=doors)
    if last is not None and doors.queues:
        _upload(system, doors, start, last)


def _one(
    system: System,
    city: City,
    enrolment: Enrolment,
    event: Visit | Course | Declaration,
    *,
    start: datetime,
    tally: DayTally,
    doors: Doors,
) -> None:
    """A resident's event through its own use case (not a scan at a checkpoint)."""
    trips = doors.trips
    if isinstance(event, Course):
        positive(system, enrolment.subjects[event.person], event, start)
        tally.positives += 1
        doors.dirty.add(event.person)
    elif isinstance(event, Declaration):
        declare(system, enrolment.subjects[event.person], event.fever, event.minute, start)
        tally.declarations += 1
        doors.dirty.add(event.person)
    elif event.place in trips:
        venue = enrolment.venues[city.places[event.place].site]
        ride(system, enrolment.subjects[event.person], venue, trips[event.place], event, start)
        tally.rides += 1
    else:
        venue = enrolment.venues[city.places[event.place].site]
        if phone_check_in(system, enrolment.subjects[event.person], venue) == "stop":
            tally.turned_away.add(event)
        tally.checkins += 1


def _scan(
    system: System,
    doors: Doors,
    enrolment: Enrolment,
    at: tuple[str, str],
    visit: Visit,
    start: datetime,
    tally: DayTally,
) -> None:
    """The device at ``site`` scans the arriving resident's code: pass, or stop (turned away)."""
    if doors.stale or doors.dirty:
        system.clock.set(start + timedelta(minutes=visit.start))
        doors.refresh(uow=system.uow, clock=system.clock, subjects=enrolment.subjects)
    device, site = at
    venue = enrolment.venues[site]
    outcome = doors.answer(system.uow, system.jurisdiction, venue, visit.person)
    if outcome[0] == "stop":
        tally.turned_away.add(visit)
    trip = doors.trips.get(visit.place)
    doors.queue(
        device=device,
        site=site,
        scan=scan_of(
            subject=enrolment.subjects[visit.person],
            resident=visit.person,
            minute=visit.start,
            start=start,
            outcome=outcome,
            issuer=system.jurisdiction,
            vehicle=None if trip is None else trip.vehicle,
        ),
    )


def _upload(system: System, doors: Doors, start: datetime, minute: int) -> None:
    doors.upload(
        uow=system.uow,
        clock=system.clock,
        jurisdiction=system.jurisdiction,
        at=start + timedelta(minutes=minute),
    )


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
    stays = upload_pings(system, enrolment.subjects, pings, start) if pings else 0
    return DayRecord(
        checkins=tally.checkins,
        stopped=len(tally.turned_away),
        rides=tally.rides,
        positives=tally.positives,
        pings=len(pings),
        stays=stays,
        turned_away=frozenset(tally.turned_away),
        scans=tally.scans,
        declarations=tally.declarations,
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
    (``finish_day``); the doors read everyone's colour at the start of the day."""
    tally = DayTally()
    doors = Doors(seed=city.seed, stale=True)
    events = day_events(city, day, devices=getattr(enrolment, "devices", {}))
    send(system, city, enrolment, events, start=start, tally=tally, doors=doors)
    return finish_day(system, city, enrolment, day, start=start, tally=tally)


def went_home(city: City, visit: Visit) -> Visit:
    """The visit spent at home instead (the person was turned away at the door)."""
    return Visit(visit.person, city.residents[visit.person].home, visit.start, visit.end)


CLOCK_IN_MINUTE: Final = 8 * 60
"""When a resident clocking in makes their daily declaration (08:00)."""
DECLARING: Final = 0.5
"""The share of symptomatic residents who declare their symptoms on the day they begin."""


def declares(city: City, course: Course) -> bool:
    """Whether the resident of ``course`` declares its symptoms (a draw per resident)."""
    draw = random.Random(f"declares/{city.seed}/{course.person}").random()
    return course.onset is not None and draw < DECLARING


def declarations_of_day(city: City, courses: Iterable[Course], day: int) -> tuple[Declaration, ...]:
    """Declarations of symptoms beginning on ``day`` before their sample, by residents who
    declare them."""
    return tuple(
        Declaration(c.person, c.onset, fever=True)
        for c in courses
        if c.onset is not None
        and day * DAY <= c.onset < (day + 1) * DAY
        and (c.sampled_at is None or c.onset < c.sampled_at)
        and declares(city, c)
    )


def clocking_in(
    city: City, residents: Iterable[int], courses: Mapping[int, Course], day: int
) -> tuple[Declaration, ...]:
    """The normal daily declarations (at 08:00) of ``residents`` on ``day``: those without
    symptoms begun by then."""
    minute = day * DAY + CLOCK_IN_MINUTE
    return tuple(
        Declaration(r, minute, fever=False)
        for r in sorted(residents)
        if (c := courses.get(r)) is None or c.onset is None or c.onset > minute
    )


def plan_days(city: City, outbreak: Outbreak, *, first_weekday: int) -> Iterator[DayPlan]:
    """The days of an outbreak as the system will see them: everyone's visits (cases isolated
    from the day after their sample), the positive results known that day and the symptoms
    declared."""
    results: dict[int, list[Course]] = {}
    for course in outbreak.courses.values():
        if course.result_at is not None and 0 <= course.result_at < outbreak.days * DAY:
            results.setdefault(course.result_at // DAY, []).append(course)
    for day in range(outbreak.days):
        visits = visits_of_day(city, day, first_weekday, outbreak.courses)
        yield DayPlan(
            day=day,
            visits=tuple(visits),
            results=tuple(results.get(day, ())),
            declarations=declarations_of_day(city, outbreak.courses.values(), day),
        )
