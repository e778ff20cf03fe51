"""A measured run (`healthcode simulate`): a seeded city on a fresh system, its outbreak played
in the closed loop with the health office and the worker, then measured against the model's
ground truth (``model.measures``).

Everything here is simulated: the run starts at a fixed Monday, so the same parameters, seed
and policy give the same measures; the wall time of each phase is returned apart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from healthcode.kernel.collector import tuned_collector
from healthcode.kernel.errors import InvalidInput
from healthcode.simulator.drive import Enrolment, System, enrol, run_start
from healthcode.simulator.loop import Behaviour, CityRun, LoopDay
from healthcode.simulator.model.city import CityParams, build_city
from healthcode.simulator.model.disease import DAY
from healthcode.simulator.model.epidemic import Epidemic, OutbreakParams
from healthcode.simulator.model.measures import Flag, Truth, measures
from healthcode.simulator.office import HealthOffice, OfficeParams, open_office
from healthcode.tracing.model.cases import CaseState

FIRST_DAY: Final = date(2026, 3, 2)
"""Every measured run starts on this Monday (local midnight), so runs are comparable."""
OFFICE_PASSWORD: Final = "simulated health office"  # noqa: S105 - a scratch database's
MAX_POPULATION: Final = 100_000
MAX_DAYS: Final = 120
RUN_YOUNG_THRESHOLD: Final = 50_000
"""A run's young collections: every this many net allocations (Python's own: 700)."""


@dataclass(frozen=True, kw_only=True)
class RunParams:
    """A measured run: the city's size, the days played, the seed of city and epidemic, the
    residents infected at the start (1 % and at least 5 by default), residents' compliance."""

    population: int
    days: int
    seed: int = 1
    seeded: int | None = None
    compliance: float = 0.9
    office: OfficeParams = field(default_factory=OfficeParams)

    def check(self) -> None:
        """Refuse a size, length or number infected out of range."""
        if not 20 <= self.population <= MAX_POPULATION:
            raise InvalidInput.one("population", f"must be 20-{MAX_POPULATION:,}")
        if not 1 <= self.days <= MAX_DAYS:
            raise InvalidInput.one("days", f"must be 1-{MAX_DAYS}")
        if self.seeded is not None and not 1 <= self.seeded <= self.population:
            raise InvalidInput.one("infected", f"must be 1 to the population ({self.population:,})")

    def as_json(self) -> dict[str, Any]:
        """The parameters as they go into ``measures.json``."""
        return {
            "population": self.population,
            "days": self.days,
            "seed": self.seed,
            "seeded": self.infected_at_start,
            "compliance": self.compliance,
            "office": vars(self.office),
        }

    @property
    def infected_at_start(self) -> int:
        return self.seeded if self.seeded is not None else max(5, self.population // 100)


Progress = Callable[[str, int, int], None]
"""Told (phase, done, total) as a run goes."""
Timer = Callable[[], float]
"""Wall seconds (the caller's clock: the simulator reads no real time)."""


def run_measured(
    system: System, params: RunParams, *, progress: Progress, timer: Timer
) -> tuple[dict[str, Any], dict[str, float]]:
    """Play ``params`` on ``system`` (a fresh database whose policy is in force) and measure
    it: the measures (simulated quantities only) and the wall seconds of each phase. The city
    is kept out of the cyclic collector's sight meanwhile (``kernel.collector``)."""
    params.check()
    times: dict[str, float] = {}
    began = timer()
    city = build_city(
        CityParams(population=params.population, jurisdiction=system.jurisdiction), params.seed
    )
    start = run_start(system.jurisdiction, FIRST_DAY)
    times["build_city"] = timer() - began
    with tuned_collector(RUN_YOUNG_THRESHOLD):
        progress("enrol", 0, 1)
        enrolment = enrol(system, city, start=start)
        open_office(system, password=OFFICE_PASSWORD)
        times["enrol"] = timer() - began - times["build_city"]
        outbreak = OutbreakParams(
            days=params.days, first_weekday=start.weekday(), seeded=params.infected_at_start
        )
        run = CityRun(
            Epidemic(city, outbreak, params.seed),
            enrolment,
            start=start,
            behaviour=Behaviour(compliance=params.compliance),
            office=HealthOffice(params=params.office),
        )
        played: list[LoopDay] = []
        for day in range(params.days):
            progress("play", day, params.days)
            played += run.play_until(system, (day + 1) * DAY)
        progress("play", params.days, params.days)
        times["play"] = timer() - began - times["build_city"] - times["enrol"]
        result = measure(system, run, played, start=start)
        times["total"] = timer() - began
        return {"params": params.as_json(), **result}, times


def measure(
    system: System, run: CityRun, played: list[LoopDay], *, start: datetime
) -> dict[str, Any]:
    """The measures of a played ``run``: the system's confirmed cases and the exposures it
    traced from them, against the epidemic's truth."""
    flags, sampled = confirmed_flags(system, run.enrolment, start=start)
    epidemic = run.epidemic
    truth = Truth(
        infections=epidemic.infections,
        contacts=epidemic.contacts,
        sampled={p: at for p in sampled if (at := _sample(epidemic, p)) is not None},
    )
    red = set().union(*(d.red for d in played)) if played else set()
    return measures(
        flags=flags,
        truth=truth,
        colours=[d.colours for d in played],
        red=red,
        cases=len(sampled),
    )


def _sample(epidemic: Epidemic, person: int) -> int | None:
    course = epidemic.courses.get(person)
    return None if course is None else course.sampled_at


def confirmed_flags(
    system: System, enrolment: Enrolment, *, start: datetime
) -> tuple[list[Flag], list[int]]:
    """The exposures (and quarantine orders) traced from each confirmed case, as flags on
    residents, and the residents who are confirmed cases."""
    resident = {subject: r for r, subject in enumerate(enrolment.subjects)}
    flags: list[Flag] = []
    cases: list[int] = []
    with system.uow() as uow:
        for case in uow.cases.list(system.jurisdiction, state=CaseState.CONFIRMED):
            if case.subject not in resident:
                continue
            who = resident[case.subject]
            cases.append(who)
            for fact in uow.tracing.derived_heads(case.case_id):
                if fact.subject in resident:
                    flags.append(
                        Flag(
                            person=resident[fact.subject],
                            case=who,
                            rule=fact.rule,
                            kind=fact.kind,
                            at=int((fact.created_at - start).total_seconds() // 60),
                        )
                    )
    flags.sort(key=lambda f: (f.case, f.person, f.rule, f.at))
    return flags, sorted(cases)
