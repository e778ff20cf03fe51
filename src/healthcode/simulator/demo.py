"""The living demo city (`healthcode demo seed --city`, `healthcode demo run`).

``seed_city`` builds a small synthetic city, registers it in a fresh system with the health
office's two officials, and plays its last few days up to now in virtual time (the clock set
to each event's moment, as fast as the system goes). So that a newcomer sees a case within
minutes, one infected resident's test is timed: its result comes in a minute after the seed
ends, and the demo's office reports and confirms within a few minutes (``DEMO_OFFICE``).

``live`` then keeps the city moving in real time: each step sends what happened between the
last step and now (check-ins, rides, results, the office's decisions; the phones' pings at
23:59), every event stamped with its own moment, never later than now. Between two steps the
run is saved (``save``): plain data, so `healthcode demo run` resumes after a restart, skipping
the days the demo was not running (nobody went anywhere then)."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from healthcode.db.private_files import create_private
from healthcode.identity.demo import DEMO_CITIZEN
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.regions import local_date
from healthcode.simulator.drive import System, enrol, run_start
from healthcode.simulator.loop import Behaviour, CityRun, LoopDay
from healthcode.simulator.model.city import City, CityParams, Role, build_city
from healthcode.simulator.model.disease import DAY, Course
from healthcode.simulator.model.epidemic import Epidemic, OutbreakParams
from healthcode.simulator.office import HealthOffice, OfficeAccount, OfficeParams, open_office

SIZES: Final = {"small": 200, "town": 2_000}
"""Named sizes of the demo city (residents); ``--residents`` also takes a number."""
MAX_RESIDENTS: Final = 20_000
DEMO_OFFICE: Final = OfficeParams(report_minutes=2, confirm_minutes=3, worker_minutes=5)
"""The demo's health office is quick: a result is a confirmed case five minutes later."""
MAX_CATCH_UP: Final = DAY
"""A demo behind by more than this skips to the start of today instead of replaying."""
DEMO_SAMPLE: Final = 10
"""The demo's residents are one in this many of a district's people."""
_CITY: Final = CityParams(population=2_000)
DEMO_TOWN: Final = CityParams(
    population=2_000,
    team_size=max(2, _CITY.team_size // DEMO_SAMPLE),
    class_size=max(2, _CITY.class_size // DEMO_SAMPLE),
    residents_per_supermarket=_CITY.residents_per_supermarket // DEMO_SAMPLE,
    residents_per_market=_CITY.residents_per_market // DEMO_SAMPLE,
    residents_per_restaurant=_CITY.residents_per_restaurant // DEMO_SAMPLE,
    residents_per_hospital=_CITY.residents_per_hospital // DEMO_SAMPLE,
    residents_per_bus_line=_CITY.residents_per_bus_line // DEMO_SAMPLE,
)
"""The demo's town is a sample of a district, one resident in ``DEMO_SAMPLE``: every place
they share (an office team, a class, the shops, eateries, hospitals and bus lines) is there
for the whole district, so each holds a tenth of the residents the defaults put in it. With
the defaults (sized for a whole city's people: a team of 15, one supermarket per 1,500) a town
of 2,000 met in the same two shops and one bus line, and one case's close contacts' contacts
were most of the town."""
DEMO_BEHAVIOUR: Final = Behaviour(clock_in=True)
"""Residents whose code is not green make the daily declaration that turns it green again."""
DEMO_MIN_SEEDED: Final = 2
DEMO_RESIDENTS_PER_SEEDED: Final = 1_000
"""Infected at the start: one resident in a thousand, at least two (a town at the start of an
outbreak, not one where one in a hundred already carries it)."""
FIRST_RESULT_MINUTES: Final = 1
LAB_MINUTES: Final = 12 * 60


def residents_of(size: str) -> int:
    """The residents a ``--residents`` value names: ``small``, ``town`` or a number."""
    if size in SIZES:
        return SIZES[size]
    if not size.isdigit() or not 20 <= int(size) <= MAX_RESIDENTS:
        names = ", ".join(SIZES)
        raise InvalidInput.one("residents", f"must be {names} or a number 20-{MAX_RESIDENTS}")
    return int(size)


@dataclass(frozen=True, kw_only=True)
class SeededCity:
    """What the seed made: the run to continue, the office's accounts (TOTP shown once) and
    the days played."""

    run: CityRun
    accounts: tuple[OfficeAccount, OfficeAccount]
    days: list[LoopDay]
    citizen: int | None = None
    """The resident registered as the demo citizen (None: no resident fits)."""


def seed_city(
    system: System,
    *,
    residents: int,
    days: int,
    now: datetime,
    password: str,
    progress: Callable[[str], None] = lambda _: None,
    seed: int = 1,
) -> SeededCity:
    """Build a city of ``residents``, register it at local midnight ``days`` days before
    ``now``, open the office's accounts, and play up to ``now``; one line of ``progress`` a
    step."""
    city = build_city(
        replace(DEMO_TOWN, population=residents, jurisdiction=system.jurisdiction), seed
    )
    progress(f"built a city of {residents:,} residents and {len(city.places):,} places")
    start = run_start(system.jurisdiction, local_date(now, system.jurisdiction)) - timedelta(
        days=days
    )
    params = OutbreakParams(
        days=365,
        first_weekday=start.weekday(),
        seeded=max(DEMO_MIN_SEEDED, residents // DEMO_RESIDENTS_PER_SEEDED),
        seed_spread_days=6,
    )
    epidemic = Epidemic(city, params, seed)
    citizen = demo_citizen_resident(epidemic)
    named = {} if citizen is None else {citizen: DEMO_CITIZEN}
    enrolment = enrol(system, city, start=start, named=named)
    progress(f"registered {residents:,} residents and {len(enrolment.venues):,} venues")
    accounts = open_office(system, password=password)
    run = CityRun(
        epidemic,
        enrolment,
        start=start,
        behaviour=DEMO_BEHAVIOUR,
        office=HealthOffice(params=DEMO_OFFICE),
    )
    played: list[LoopDay] = []
    target = _minute(run, now)
    for end in [*range(DAY, target, DAY), target]:
        for day in run.play_until(system, end):
            played.append(day)
            progress(_day_line(len(played), day))
    near = frozenset() if citizen is None else housemates(city, citizen)
    _time_a_result(run, at=target + FIRST_RESULT_MINUTES, near=near)
    return SeededCity(run=run, accounts=accounts, days=played, citizen=citizen)


def housemates(city: City, resident: int) -> frozenset[int]:
    """The other residents of ``resident``'s home."""
    return frozenset(city.households[city.residents[resident].household]) - {resident}


def demo_citizen_resident(epidemic: Epidemic) -> int | None:
    """The resident who is the demo citizen: a working adult sharing a home with one of the
    first infected, the most recently infected first (the least likely to be confirmed
    already); None when none of them lives with one."""
    city = epidemic.city
    first = sorted(epidemic.courses.values(), key=lambda c: (-c.infected_at, c.person))
    for course in first:
        for other in sorted(housemates(city, course.person)):
            resident = city.residents[other]
            if other not in epidemic.courses and resident.role is Role.WORKER:
                return other
    return None


def _day_line(number: int, day: LoopDay) -> str:
    r = day.record
    return (
        f"day {number}: {r.checkins:,} check-ins ({r.stopped} stopped), {r.rides:,} rides, "
        f"{r.positives} positive results, {r.pings:,} pings; {day.restricted} not green, "
        f"{day.stayed_home} stayed home; {day.infections} infected"
    )


def _minute(run: CityRun, now: datetime) -> int:
    return int((now - run.start).total_seconds() // 60)


def _time_a_result(run: CityRun, *, at: int, near: frozenset[int] = frozenset()) -> Course | None:
    """Give one infected resident still out a test whose result comes at minute ``at``
    (sampled ``LAB_MINUTES`` before), one of ``near`` if any is; None when no one is infected
    and untested."""
    untested = sorted(
        (c for c in run.epidemic.courses.values() if c.sampled_at is None or c.sampled_at > at),
        key=lambda c: (c.person not in near, c.onset is None or c.onset > at, c.infected_at),
    )
    if not untested:
        return None
    course = untested[0]
    sampled = max(course.infected_at, at - LAB_MINUTES)
    timed = replace(course, sampled_at=sampled, result_at=at)
    run.add_result(timed)
    return timed


def live(
    run: CityRun,
    system: System,
    *,
    now: Callable[[], datetime],
    steps: int | None,
    wait: Callable[[], None],
) -> Iterator[list[LoopDay]]:
    """Keep ``run`` up with ``now``: ``steps`` times (for ever with None), send what happened
    since the last step, yield the days it closed, then ``wait``."""
    done = 0
    while steps is None or done < steps:
        yield step(run, system, now=now())
        done += 1
        if steps is None or done < steps:
            wait()


def step(run: CityRun, system: System, *, now: datetime) -> list[LoopDay]:
    """Send what happened up to ``now``; a run behind by more than ``MAX_CATCH_UP`` finishes
    its open day and skips to today."""
    target = _minute(run, now)
    closed: list[LoopDay] = []
    if target - run.played > MAX_CATCH_UP:
        if run.day_open:
            closed += run.play_until(system, (run.played // DAY + 1) * DAY)
        run.skip_to(target)
    closed += run.play_until(system, target)
    return closed


def save(run: CityRun, path: Path) -> None:
    """Write the run to ``path`` (created 0600; replaced whole)."""
    partial = path.with_name(path.name + ".partial")
    create_private(partial)
    partial.write_bytes(pickle.dumps(run, protocol=pickle.HIGHEST_PROTOCOL))
    partial.replace(path)


def load(path: Path) -> CityRun:
    """The run saved at ``path`` (only ever this process's own file)."""
    if not path.exists():
        raise InvalidInput.one("state", f"no demo city at {path}: run `demo seed --city` first")
    run = pickle.loads(path.read_bytes())  # noqa: S301 - written by ``save``, 0600
    if not isinstance(run, CityRun):
        raise InvalidInput.one("state", f"{path} does not hold a demo city")
    return run
