"""The closed loop: the model's epidemic and the real system advance together, day by day.

Each day starts with every resident reading their own status (``status.current_status``, as the
app shows it); one whose code is not green stays home that day with probability
``compliance``. The day is then sent to the system (``drive.play_day``): a visit whose check-in
is answered stop does not happen (the person spends that time at home). Only then do the day's
visits share places in the model, so what the system decides changes who is infected."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from healthcode.kernel.facts import Colour
from healthcode.simulator.drive import DayPlan, DayRecord, Enrolment, System, play_day
from healthcode.simulator.model.city import City
from healthcode.simulator.model.disease import DAY
from healthcode.simulator.model.epidemic import Epidemic
from healthcode.simulator.model.schedules import Visit
from healthcode.status.assessment import current_status


@dataclass(frozen=True, kw_only=True)
class Behaviour:
    """How residents follow their codes: the share of those with a red or yellow code who stay
    home on a given day (the rest go out and meet the doors)."""

    compliance: float = 0.9


@dataclass(frozen=True, kw_only=True)
class LoopDay:
    """One day of the loop: what was sent, how many residents' codes were not green at its
    start, how many of them stayed home, and the infections of the day (model truth)."""

    record: DayRecord
    restricted: int
    stayed_home: int
    infections: int


def run_in_system(
    system: System,
    enrolment: Enrolment,
    epidemic: Epidemic,
    *,
    days: range,
    start: datetime,
    behaviour: Behaviour,
) -> list[LoopDay]:
    """Advance ``epidemic`` and the system together over ``days`` (minute 0 is ``start``)."""
    city = epidemic.city
    played: list[LoopDay] = []
    for day in days:
        system.clock.set(start + timedelta(days=day))
        planned = epidemic.planned(day)
        out = {v.person for v in planned}  # isolated cases have no visits: they are not home
        restricted = _not_green(system, enrolment)
        home = _staying_home(city, restricted & out, day, behaviour)
        visits = [v for v in planned if v.person not in home]
        visits += [Visit(p, city.residents[p].home, day * DAY, (day + 1) * DAY) for p in home]
        results = tuple(
            c
            for c in epidemic.courses.values()
            if c.result_at is not None and day * DAY <= c.result_at < (day + 1) * DAY
        )
        record = play_day(
            system,
            city,
            enrolment,
            DayPlan(day=day, visits=tuple(visits), results=results),
            start=start,
        )
        happened = [_went_home(city, v) if v in record.turned_away else v for v in visits]
        new = epidemic.advance(happened)
        played.append(
            LoopDay(
                record=record,
                restricted=len(restricted),
                stayed_home=len(home),
                infections=len(new),
            )
        )
    return played


def _not_green(system: System, enrolment: Enrolment) -> set[int]:
    """The residents whose code is not green now, each reading their own status."""
    return {
        resident
        for resident, subject in enumerate(enrolment.subjects)
        if current_status(uow=system.uow(), clock=system.clock, subject=subject).colour
        is not Colour.GREEN
    }


def _staying_home(city: City, restricted: set[int], day: int, behaviour: Behaviour) -> set[int]:
    """Who of the ``restricted`` complies on ``day`` (a draw per resident and day)."""
    return {
        r
        for r in sorted(restricted)
        if random.Random(f"behaviour/{city.seed}/{day}/{r}").random() < behaviour.compliance
    }


def _went_home(city: City, visit: Visit) -> Visit:
    return Visit(visit.person, city.residents[visit.person].home, visit.start, visit.end)
