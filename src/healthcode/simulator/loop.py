"""The closed loop: the model's epidemic and the real system advance together, day by day.

Each day starts with every resident reading their own status (``status.current_status``, as the
app shows it); one whose code is not green stays home that day with probability
``compliance``. The day is then sent to the system in time order (``drive.send``), with the
health office's decisions and the worker's passes among the residents' events when there is an
office (``office.HealthOffice``): a positive result is reported and confirmed, the worker traces
the case, and its contacts' codes turn yellow or red, so they stay home from the next day or
are stopped at the next door. A visit whose check-in is answered stop does not happen (the
person spends that time at home). Only at the end of the day do its visits share places in
the model, so what the system decides changes who is infected.

``CityRun`` holds a run between two moments, so the same loop runs a whole day at once
(``run_in_system``) or a slice at a time, as a living demo does in real time
(``simulator.demo``)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import Colour
from healthcode.simulator.checkpoints import Doors, read_colours
from healthcode.simulator.drive import (
    LAST,
    DayPlan,
    DayRecord,
    DayTally,
    Enrolment,
    Event,
    System,
    clocking_in,
    day_events,
    declarations_of_day,
    event_order,
    finish_day,
    send,
    went_home,
)
from healthcode.simulator.model.city import City
from healthcode.simulator.model.disease import DAY, Course
from healthcode.simulator.model.epidemic import Epidemic
from healthcode.simulator.model.schedules import Visit
from healthcode.simulator.office import HealthOffice


@dataclass(frozen=True, kw_only=True)
class Behaviour:
    """How residents follow their codes: the share of those with a red or yellow code who stay
    home on a given day (the rest go out and meet the doors)."""

    compliance: float = 0.9
    clock_in: bool = False
    """Residents whose code is not green make the daily normal health declaration their
    code's text asks for ("green after 7 consecutive days of normal daily check-ins"), at
    08:00; without it a yellow that clears by declarations never clears."""


@dataclass(frozen=True, kw_only=True)
class LoopDay:
    """One day of the loop: what was sent, how many residents' codes were not green at its
    start, how many of them stayed home, and the infections of the day (model truth)."""

    record: DayRecord
    restricted: int
    stayed_home: int
    infections: int
    colours: dict[str, int] = field(default_factory=dict)
    """How many residents had each colour at the start of the day."""
    red: frozenset[int] = frozenset()
    """The residents whose code was red at the start of the day."""


@dataclass
class _Day:
    plan: DayPlan
    restricted: int
    stayed_home: int
    colours: dict[str, int]
    red: frozenset[int]
    tally: DayTally = field(default_factory=DayTally)


class CityRun:
    """An epidemic played in the system from ``start`` (minute 0), to any minute: ``played``
    is the first minute not sent yet. Plain data between calls (the system is handed to each),
    so a run can be saved and resumed."""

    def __init__(
        self,
        epidemic: Epidemic,
        enrolment: Enrolment,
        *,
        start: datetime,
        behaviour: Behaviour,
        office: HealthOffice | None = None,
    ) -> None:
        self.epidemic = epidemic
        self.enrolment = enrolment
        self.start = start
        self.behaviour = behaviour
        self.office = office
        self.played = 0
        self.days: list[LoopDay] = []
        self._day: _Day | None = None
        self._events: list[Event] | None = None  # the open day's residents' events (a cache)
        self.doors = Doors(seed=epidemic.city.seed)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_events": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "doors" not in state:  # a run saved before the doors existed
            self.doors = Doors(seed=self.epidemic.city.seed, stale=True)

    @property
    def city(self) -> City:
        return self.epidemic.city

    def play_until(self, system: System, minute: int) -> list[LoopDay]:
        """Send everything up to ``minute`` (excluded), closing each day passed; the days
        closed."""
        if self.office is not None and system.proposal_kinds is None:
            raise InvalidInput.one("proposal_kinds", "a health office needs the proposal kinds")
        closed: list[LoopDay] = []
        while self.played < minute:
            day = self.played // DAY
            if self._day is None:
                self._begin(system, day)
            end = min(minute, (day + 1) * DAY)
            self._send(system, self.played, end)
            self.played = end
            if end == (day + 1) * DAY:
                closed.append(self._close(system))
        return closed

    @property
    def day_open(self) -> bool:
        """Whether a day has begun and not ended."""
        return self._day is not None

    def add_result(self, course: Course) -> None:
        """Give a resident ``course`` (their infection's, re-timed) whose positive result falls
        in the open day or later: the laboratory sends it and the office acts on it."""
        self.epidemic.courses[course.person] = course
        if self._day is None or course.result_at is None:
            return
        plan = self._day.plan
        if plan.day * DAY <= course.result_at < (plan.day + 1) * DAY:
            others = tuple(c for c in plan.results if c.person != course.person)
            self._day.plan = replace(plan, results=(*others, course))
            self._events = None
            if self.office is not None:
                self.office.schedule((course,))

    def skip_to(self, minute: int) -> None:
        """Jump to the start of ``minute``'s day without sending anything (a living demo left
        alone for days resumes from today: nobody went anywhere in between)."""
        day = minute // DAY
        if self._day is not None or self.played >= day * DAY:
            return
        self.played = day * DAY

    def _begin(self, system: System, day: int) -> None:
        system.clock.set(self.start + timedelta(days=day))
        city, epidemic = self.city, self.epidemic
        planned = epidemic.planned(day)
        out = {v.person for v in planned}  # isolated cases have no visits: they are not home
        colours = _colours(system, self.enrolment)
        restricted = {r for r, c in colours.items() if c is not Colour.GREEN}
        home = _staying_home(city, restricted & out, day, self.behaviour)
        visits = [v for v in planned if v.person not in home]
        visits += [Visit(p, city.residents[p].home, day * DAY, (day + 1) * DAY) for p in home]
        results = tuple(
            c
            for c in epidemic.courses.values()
            if c.result_at is not None and day * DAY <= c.result_at < (day + 1) * DAY
        )
        plan = DayPlan(
            day=day,
            visits=tuple(visits),
            results=results,
            declarations=(
                *declarations_of_day(city, epidemic.courses.values(), day),
                *(
                    clocking_in(city, restricted, epidemic.courses, day)
                    if self.behaviour.clock_in
                    else ()
                ),
            ),
        )
        self.doors.colours, self.doors.stale = colours, False
        self.doors.dirty.clear()
        if self.office is not None:
            self.office.schedule(results)
        self._day = _Day(
            plan=plan,
            restricted=len(restricted),
            stayed_home=len(home),
            colours=dict(sorted(Counter(c.value for c in colours.values()).items())),
            red=frozenset(r for r, c in colours.items() if c is Colour.RED),
        )

    def _send(self, system: System, lo: int, hi: int) -> None:
        assert self._day is not None  # noqa: S101 - begun by play_until
        if self._events is None:
            self._events = day_events(
                self.city, self._day.plan, devices=getattr(self.enrolment, "devices", {})
            )
        extras = (
            []
            if self.office is None
            else self.office.timed(system, self.enrolment, start=self.start, lo=lo, hi=hi)
        )
        events = [e for e in self._events if lo <= e[0] < hi]
        events += [(t.minute, LAST, t) for t in extras]
        events.sort(key=event_order)
        send(
            system,
            self.city,
            self.enrolment,
            events,
            start=self.start,
            tally=self._day.tally,
            doors=self.doors,
        )

    def _close(self, system: System) -> LoopDay:
        assert self._day is not None  # noqa: S101 - begun by play_until
        day, city = self._day, self.city
        record = finish_day(
            system, city, self.enrolment, day.plan, start=self.start, tally=day.tally
        )
        happened = [went_home(city, v) if v in record.turned_away else v for v in day.plan.visits]
        new = self.epidemic.advance(happened)
        played = LoopDay(
            record=record,
            restricted=day.restricted,
            stayed_home=day.stayed_home,
            infections=len(new),
            colours=day.colours,
            red=day.red,
        )
        self.days.append(played)
        self._day, self._events = None, None
        return played


def run_in_system(
    system: System,
    enrolment: Enrolment,
    epidemic: Epidemic,
    *,
    days: range,
    start: datetime,
    behaviour: Behaviour,
    office: HealthOffice | None = None,
) -> list[LoopDay]:
    """Advance ``epidemic`` and the system together over ``days`` (minute 0 is ``start``)."""
    run = CityRun(epidemic, enrolment, start=start, behaviour=behaviour, office=office)
    run.skip_to(days.start * DAY)
    return run.play_until(system, days.stop * DAY)


def _colours(system: System, enrolment: Enrolment) -> dict[int, Colour]:
    """Each resident's colour now, each reading their own status (in bulk:
    ``status.batch.current_colours``, the same answer as ``current_status`` each)."""
    return read_colours(uow=system.uow, clock=system.clock, subjects=enrolment.subjects)


def _staying_home(city: City, restricted: set[int], day: int, behaviour: Behaviour) -> set[int]:
    """Who of the ``restricted`` complies on ``day`` (a draw per resident and day)."""
    return {
        r
        for r in sorted(restricted)
        if random.Random(f"behaviour/{city.seed}/{day}/{r}").random() < behaviour.compliance
    }
