"""The city simulator's cost: the pure model alone, the real system driven in virtual time,
and a whole measured run with the health office and the worker.

Part one builds a city of ``--population`` residents and runs its epidemic for ``--days`` days
(pure model, no I/O): person-days a second. Part two enrols a city of ``--drive-population``
residents in a fresh scratch SQLite database (commits not synced, as ``healthcode simulate``'s;
keys, a venue per site, every resident registered) and
plays ``--drive-days`` days of its outbreak through the real use cases (checkpoint scan
batches, phone check-ins and rides where a venue has no checkpoint, declarations, positive
results, location pings): events and person-days a second (wall clock, and per CPU second of
this process, which a shared machine's load does not change), and the share of the time spent
in the system's use cases against the model's planning of the same days. Part two leaves out
the health office and the worker; part three is what ``healthcode simulate run`` does under
the bundled Hangzhou policy for ``--full-population`` residents and ``--full-days`` days
(0 skips it): reports, confirmations, tracing, reassessments and the colours read back, as
person-days per CPU second.
The last lines extrapolate to issue 14's target, 100,000 residents for 30 days (< 15 min);
tracing grows faster than the city, so the full run's rate at a small city flatters a large one.

    .venv/bin/python bench/simulate.py [--population 5000] [--days 30] [--drive-population 300]
        [--drive-days 3] [--full-population 2000] [--full-days 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from healthcode import bootstrap
from healthcode.cli.context import configure, scratch_system
from healthcode.kernel.clock import FixedClock
from healthcode.simulator.drive import System, enrol, plan_days, play_day, run_start
from healthcode.simulator.model.attack_rates import attack_rates
from healthcode.simulator.model.city import CityParams, build_city
from healthcode.simulator.model.epidemic import OutbreakParams, run_outbreak
from healthcode.simulator.runs import FIRST_DAY, RunParams, run_measured

JURISDICTION = "330100"
TARGET_PERSON_DAYS = 100_000 * 30
TARGET_SECONDS = 15 * 60


def model_part(population: int, days: int, seed: int) -> None:
    began = time.perf_counter()
    city = build_city(CityParams(population=population), seed=seed)
    built = time.perf_counter()
    outbreak = run_outbreak(city, OutbreakParams(days=days, seeded=max(5, population // 100)), seed)
    ran = time.perf_counter()
    person_days = population * days
    print(f"model: city of {population:,} built in {built - began:.2f} s")
    print(
        f"model: {days} days, {len(outbreak.infections):,} infections in {ran - built:.2f} s: "
        f"{person_days / (ran - built):,.0f} person-days/s"
    )
    for kind, rate in attack_rates(outbreak).items():
        print(f"model: SAR {kind.value:9} {rate.rate:6.2%} of {rate.contacts:,} contacts")


@contextmanager
def scratch(start: datetime) -> Iterator[System]:
    """A fresh system on a scratch SQLite database (``healthcode simulate``'s own:
    ``cli.context.scratch_system``), its clock at ``start``, the bundled Hangzhou policy in
    force; deleted afterwards."""
    configure(bootstrap.build, bootstrap.initialise)  # as `healthcode` does before a command
    clock = FixedClock(start)
    with (
        tempfile.TemporaryDirectory() as folder,
        scratch_system(Path(folder), jurisdiction=JURISDICTION, clock=clock) as container,
    ):
        yield System(
            uow=container.uow,
            clock=clock,
            private_keys=container.private_keys,
            jurisdiction=JURISDICTION,
            proposal_kinds=container.proposal_kinds,
            job_kinds=container.job_kinds,
        )


def drive_part(population: int, days: int, seed: int) -> tuple[float, float]:
    start = run_start(JURISDICTION, FIRST_DAY)
    with scratch(start) as system:
        city = build_city(CityParams(population=population), seed=seed)
        began, cpu_began = time.perf_counter(), time.process_time()
        enrolment = enrol(system, city, start=start)
        enrolled, cpu_enrolled = time.perf_counter(), time.process_time()
        outbreak = run_outbreak(
            city, OutbreakParams(days=days, seeded=max(5, population // 10)), seed
        )
        modelled = time.perf_counter() - enrolled
        in_system = 0.0
        events = scans = 0
        plans = plan_days(city, outbreak, first_weekday=0)
        while True:
            t0 = time.perf_counter()
            plan = next(plans, None)
            t1 = time.perf_counter()
            modelled += t1 - t0
            if plan is None:
                break
            record = play_day(system, city, enrolment, plan, start=start)
            in_system += time.perf_counter() - t1
            events += record.checkins + record.rides + record.positives + record.pings
            events += record.declarations
            scans += record.scans
        cpu_played = time.process_time() - cpu_enrolled
    person_days = population * days
    print(
        f"system: enrolled {population:,} residents, {len(enrolment.venues)} venues and "
        f"{len(enrolment.devices)} checkpoint devices in {enrolled - began:.1f} s "
        f"(CPU {cpu_enrolled - cpu_began:.1f} s)"
    )
    print(
        f"system: {days} days, {events:,} events in {in_system:.1f} s: "
        f"{events / in_system:,.0f} events/s, {person_days / (in_system + modelled):,.1f} "
        "person-days/s"
    )
    print(
        f"system: {scans:,} of the check-ins and rides scanned at checkpoints; CPU time of the "
        f"days {cpu_played:.1f} s: {person_days / cpu_played:,.1f} person-days per CPU second"
    )
    share = in_system / (in_system + modelled)
    print(f"system: share of the time in the system's use cases {share:.1%}, model {1 - share:.1%}")
    return person_days / (in_system + modelled), person_days / cpu_played


def full_part(population: int, days: int, seed: int) -> float:
    """``healthcode simulate run`` under the Hangzhou policy: person-days per CPU second."""
    start = run_start(JURISDICTION, FIRST_DAY)
    with scratch(start) as system:
        cpu_began = time.process_time()
        measures, times = run_measured(
            system,
            RunParams(population=population, days=days, seed=seed),
            progress=lambda phase, done, total: None,
            timer=time.perf_counter,
        )
        cpu = time.process_time() - cpu_began
    person_days = population * days
    print(
        f"full: {population:,} residents x {days} days with the office and the worker: "
        f"{measures['confirmed_cases']} cases confirmed, {measures['flagged_per_case']:,.0f} "
        f"flagged per case; enrol {times['enrol']:.1f} s, play {times['play']:.1f} s "
        f"(wall); CPU {cpu:.1f} s: {person_days / cpu:,.1f} person-days per CPU second"
    )
    return person_days / cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=5000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--drive-population", type=int, default=300)
    parser.add_argument("--drive-days", type=int, default=3)
    parser.add_argument("--full-population", type=int, default=2000)
    parser.add_argument("--full-days", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    model_part(args.population, args.days, args.seed)
    rate, cpu_rate = drive_part(args.drive_population, args.drive_days, args.seed)
    rates = [("this rate", rate), ("one CPU, unshared", cpu_rate)]
    if args.full_population and args.full_days:
        full = full_part(args.full_population, args.full_days, args.seed)
        rates.append(("the full run's rate, one CPU", full))
    for what, per_second in rates:
        hours = TARGET_PERSON_DAYS / per_second / 3600
        verdict = "met" if hours * 3600 <= TARGET_SECONDS else "NOT met"
        print(
            f"target: 100,000 residents x 30 days at {what}: {hours:,.2f} h "
            f"(target {TARGET_SECONDS / 60:.0f} min): {verdict}"
        )


if __name__ == "__main__":
    main()
