"""Transmission at shared places, one day at a time.

Every pair of an infectious and a susceptible person at the same place accumulates a hazard
``beta[class] × crowding × I``, where ``I`` is the share of the infectious person's whole
infectiousness (``disease.Infectiousness``) that falls in the minutes they shared: so the hazard
grows with time together, peaks around symptom onset, and ``beta`` is the hazard of a pair
together around the clock for a whole infection. Crowding is the place's mean occupancy that day
against its capacity. A susceptible person's hazards of the day add up; they are infected with
probability ``1 - exp(-H)``, by one of the pairs drawn in proportion to its hazard."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from healthcode.simulator.model.disease import DAY, Course, Infectiousness
from healthcode.simulator.model.places import ContactClass, Place, PlaceKind
from healthcode.simulator.model.schedules import Visit

TRACING_LEAD: Final = 2 * DAY
"""A case's contacts are counted from 2 days before symptom onset (the WHO tracing window,
REFERENCE.md), as the studies behind the calibration targets counted them."""

ContactMinutes = Counter[tuple[int, ContactClass]]
"""Minutes a case shared with each person, by the class of the places they shared."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TransmissionParams:
    """``beta`` per contact class (calibrated in docs/simulator.md); crowding is bounded to
    [``crowding_floor``, ``crowding_floor + crowding_cap``]."""

    beta: Mapping[ContactClass, float] = field(
        default_factory=lambda: {
            ContactClass.HOUSEHOLD: 0.5,
            ContactClass.CLOSE: 0.47,
            ContactClass.CASUAL: 3.0,
        }
    )
    crowding_floor: float = 0.5
    crowding_cap: float = 2.5


@dataclass(frozen=True, slots=True, kw_only=True)
class Exposure:
    """A hazard one infectious person put on a susceptible one at a place."""

    infector: int
    place: int
    at: int
    hazard: float


@dataclass(slots=True)
class DayOutcome:
    """What a day's sharing of places did: the exposures of each susceptible person, and the
    minutes each tested case spent with each susceptible person in its tracing window, by the
    class of the place (``contacts[case][(person, class)]``)."""

    exposures: dict[int, list[Exposure]] = field(default_factory=lambda: defaultdict(list))
    contacts: dict[int, ContactMinutes] = field(default_factory=lambda: defaultdict(Counter))


def crowding(place: Place, visits: list[Visit], params: TransmissionParams) -> float:
    """How crowded ``place`` was over the day: its mean occupancy while open over its capacity
    (a home is as crowded as its household, always 1)."""
    if place.kind is PlaceKind.HOME:
        return 1.0
    opened = min(v.start for v in visits)
    closed = max(v.end for v in visits)
    occupancy = sum(v.end - v.start for v in visits) / max(1, closed - opened)
    return params.crowding_floor + min(params.crowding_cap, occupancy / place.capacity)


def share_places(
    places: tuple[Place, ...],
    visits: Iterable[Visit],
    courses: Mapping[int, Course],
    infectiousness: Infectiousness,
    params: TransmissionParams,
) -> DayOutcome:
    """The exposures of one day's visits. ``courses`` holds everyone infected before the day."""
    by_place: dict[int, list[Visit]] = defaultdict(list)
    for visit in visits:
        by_place[visit.place].append(visit)
    outcome = DayOutcome()
    for place_id in sorted(by_place):
        here = by_place[place_id]
        sources = [v for v in here if v.person in courses]
        if sources:
            place = places[place_id]
            factor = params.beta[place.contact_class] * crowding(place, here, params)
            for source in sources:
                _spread(place, source, here, courses, infectiousness, factor, outcome)
    return outcome


def _spread(
    place: Place,
    source: Visit,
    here: list[Visit],
    courses: Mapping[int, Course],
    infectiousness: Infectiousness,
    factor: float,
    outcome: DayOutcome,
) -> None:
    course = courses[source.person]
    window = _tracing_window(course)
    for other in here:
        if other.person in courses or other.person == source.person:
            continue
        start, end = max(source.start, other.start), min(source.end, other.end)
        if end <= start:
            continue
        share = infectiousness.between(course, start, end)
        if share > 0:
            outcome.exposures[other.person].append(
                Exposure(infector=source.person, place=place.id, at=start, hazard=factor * share)
            )
        if window is not None:
            shared = min(end, window[1]) - max(start, window[0])
            if shared > 0:
                outcome.contacts[source.person][(other.person, place.contact_class)] += shared


def _tracing_window(course: Course) -> tuple[int, int] | None:
    """The span in which a tested case's contacts are counted: from two days before onset to
    isolation (None for a case never tested)."""
    if course.onset is None or course.sampled_at is None:
        return None
    return course.onset - TRACING_LEAD, course.sampled_at


def infections(outcome: DayOutcome, rng: random.Random) -> list[tuple[int, Exposure]]:
    """Who the day's exposures infect, and by which exposure: each exposed person is infected
    with probability ``1 - exp(-total hazard)``; the infector is drawn in proportion to the
    hazards (persons in id order, so a seed gives the same draws)."""
    caught: list[tuple[int, Exposure]] = []
    for person in sorted(outcome.exposures):
        exposures = outcome.exposures[person]
        total = sum(e.hazard for e in exposures)
        if rng.random() < 1.0 - math.exp(-total):
            pick = rng.random() * total
            for exposure in exposures:
                pick -= exposure.hazard
                if pick <= 0:
                    break
            caught.append((person, exposure))
    return caught
