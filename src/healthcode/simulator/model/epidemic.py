"""An epidemic in the synthetic city, day by day: residents follow their schedules (a tested
case stays isolated from its sample on), the day's shared places expose and infect, and every
infection's course is drawn. The result is the ground truth: who infected whom, where, when."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from healthcode.simulator.model.city import City
from healthcode.simulator.model.disease import (
    DAY,
    Course,
    DiseaseParams,
    Infectiousness,
    draw_course,
)
from healthcode.simulator.model.places import ContactClass
from healthcode.simulator.model.schedules import Visit, day_visits
from healthcode.simulator.model.transmission import (
    ContactMinutes,
    TransmissionParams,
    infections,
    share_places,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class OutbreakParams:
    """How the run goes: its length, the first day's weekday (0 Monday), how many residents are
    infected at the start (their infections began up to ``seed_spread_days`` earlier)."""

    days: int
    first_weekday: int = 0
    seeded: int = 10
    seed_spread_days: int = 5
    disease: DiseaseParams = field(default_factory=DiseaseParams)
    transmission: TransmissionParams = field(default_factory=TransmissionParams)


@dataclass(frozen=True, slots=True, kw_only=True)
class Infection:
    """Ground truth of one infection: who, when (minutes from the start of the run), by whom
    (None for a seeded case), at which place, in which contact class."""

    person: int
    at: int
    infector: int | None
    place: int | None
    contact_class: ContactClass | None


@dataclass(frozen=True, kw_only=True)
class Outbreak:
    """A run's ground truth: infections in order, each infected person's course, and the minutes
    each tested case shared with each susceptible person in its tracing window."""

    days: int
    infections: tuple[Infection, ...]
    courses: dict[int, Course]
    contacts: dict[int, ContactMinutes]

    def daily_new(self) -> list[int]:
        """New infections per day of the run (seeded ones on day 0)."""
        counts = [0] * self.days
        for infection in self.infections:
            counts[max(0, infection.at // DAY)] += 1
        return counts


def is_weekend(day: int, first_weekday: int) -> bool:
    return (first_weekday + day) % 7 >= 5


def visits_of_day(
    city: City, day: int, first_weekday: int, courses: dict[int, Course]
) -> list[Visit]:
    """Everyone's visits of ``day``, but for cases isolated before it started."""
    start = day * DAY
    weekend = is_weekend(day, first_weekday)
    visits: list[Visit] = []
    for resident in city.residents:
        course = courses.get(resident.id)
        if course is not None and course.sampled_at is not None and course.sampled_at <= start:
            continue
        visits.extend(day_visits(city, resident, day, weekend=weekend))
    return visits


class Epidemic:
    """An outbreak advanced one day at a time, so that something outside the model (the real
    system's colours, a stop at a door) can change who goes where before the day's sharing of
    places: ``planned(day)`` is the model's plan, ``advance(day, visits)`` what happened."""

    def __init__(self, city: City, params: OutbreakParams, seed: int) -> None:
        self.city = city
        self.params = params
        self.rng = random.Random(f"epidemic/{city.seed}/{seed}")
        self.infectiousness = Infectiousness(params.disease)
        self.courses: dict[int, Course] = {}
        self.infections: list[Infection] = []
        self.contacts: dict[int, ContactMinutes] = {}
        residents = len(city.residents)
        for person in self.rng.sample(range(residents), min(params.seeded, residents)):
            at = -self.rng.randint(0, params.seed_spread_days * DAY)
            self.courses[person] = draw_course(self.rng, params.disease, person, at)
            self.infections.append(
                Infection(person=person, at=at, infector=None, place=None, contact_class=None)
            )

    def planned(self, day: int) -> list[Visit]:
        """Everyone's visits of ``day`` as the model plans them (isolated cases stay in)."""
        return visits_of_day(self.city, day, self.params.first_weekday, self.courses)

    def advance(self, visits: list[Visit]) -> list[Infection]:
        """Share the places of a day's ``visits``: exposures, contacts and new infections
        (returned, and added to the ground truth)."""
        city, params = self.city, self.params
        outcome = share_places(
            city.places, visits, self.courses, self.infectiousness, params.transmission
        )
        for case, met in outcome.contacts.items():
            self.contacts.setdefault(case, Counter()).update(met)
        new: list[Infection] = []
        for person, exposure in infections(outcome, self.rng):
            self.courses[person] = draw_course(self.rng, params.disease, person, exposure.at)
            place = city.places[exposure.place]
            new.append(
                Infection(
                    person=person,
                    at=exposure.at,
                    infector=exposure.infector,
                    place=place.id,
                    contact_class=place.contact_class,
                )
            )
        self.infections.extend(new)
        return new

    def outbreak(self, days: int) -> Outbreak:
        """The ground truth after ``days`` days."""
        return Outbreak(
            days=days,
            infections=tuple(self.infections),
            courses=dict(self.courses),
            contacts={case: Counter(met) for case, met in self.contacts.items()},
        )


def run_outbreak(city: City, params: OutbreakParams, seed: int) -> Outbreak:
    """The epidemic of ``params`` in ``city`` from ``seed``, everyone following the model's
    plan (pure; the same seed gives the same ground truth)."""
    epidemic = Epidemic(city, params, seed)
    for day in range(params.days):
        epidemic.advance(epidemic.planned(day))
    return epidemic.outbreak(params.days)
