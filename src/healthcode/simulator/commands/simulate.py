"""`healthcode simulate` and `healthcode simulate compare`: a seeded city played under a
policy on a scratch database, measured against the model's truth (docs/simulator.md#measures).

Each run gets its own fresh SQLite database in a temporary folder (never the configured one),
with the policy file in force: the jurisdiction's bundled policy as it is, any other activated
at the run's start. The measures go to ``measures.json`` (simulated quantities only: the same
seed writes the same bytes), wall times to ``timings.json``, plots and ``report.html`` next to
them. ``compare`` plays its policies side by side in worker processes, one a CPU by default:
each run is independent (its own database, city and seed), so they write the same measures.
Ctrl-C stops the command, which stops its workers."""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult
from multiprocessing.queues import Queue
from pathlib import Path
from queue import Empty
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from healthcode.cli.context import Runtime, restore, runtime, scratch_system
from healthcode.cli.groups import default_command
from healthcode.cli.options import JsonOpt
from healthcode.cli.output import emit, read_text_file, refusals
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import InvalidInput
from healthcode.policies.model import source_sha256
from healthcode.policies.versions import activate_policy
from healthcode.policy.bundled import BUNDLED_FILES, bundled_policy_path
from healthcode.policy.loader import load_policy
from healthcode.simulator.commands.measured import measured
from healthcode.simulator.commands.report import ROWS, shown, summary, write_json, write_report
from healthcode.simulator.drive import System, run_start
from healthcode.simulator.runs import FIRST_DAY, RunParams, run_measured
from healthcode.simulator.runs import Progress as RunProgress

simulate_app = typer.Typer(
    cls=default_command("run"),
    help="Play a seeded synthetic city under a policy and measure tracing's accuracy and cost.",
    no_args_is_help=True,
)
simulate_app.command("measured")(measured)

PopulationOpt = Annotated[int, typer.Option(min=20, max=100_000, help="Residents of the city.")]
DaysOpt = Annotated[int, typer.Option(min=1, max=120, help="Days simulated.")]
SeedOpt = Annotated[int, typer.Option(help="Seed of the city and its epidemic.")]
InfectedOpt = Annotated[
    int | None,
    typer.Option(min=1, help="Residents infected at the start (default: 1 % of them, at least 5)."),
]
ReportOpt = Annotated[
    Path, typer.Option(help="Folder for measures.json, timings.json, plots and report.html.")
]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=64,
        help="Policies played at once, each in its own process (default: one a CPU); each "
        "holds its own city in memory.",
    ),
]
SIMULATOR = "simulator"
Measured = tuple[dict[str, Any], dict[str, float]]
"""A run's measures and the wall seconds of its phases."""


@dataclass(frozen=True, kw_only=True)
class _Policy:
    """A policy file to play, read and checked before any run starts."""

    name: str
    file: str
    source: str
    jurisdiction: str
    version: str


def _load(name: str, path: Path) -> _Policy:
    source = read_text_file(path, field="policy")
    policy = load_policy(source)
    return _Policy(
        name=name,
        file=path.name,
        source=source,
        jurisdiction=policy.jurisdiction,
        version=policy.version,
    )


def _activate(system: Any, source: str, jurisdiction: str) -> None:
    """Put ``source`` in force unless it is the jurisdiction's bundled policy."""
    bundled = jurisdiction in BUNDLED_FILES
    if bundled and bundled_policy_path(jurisdiction).read_text(encoding="utf-8") == source:
        return
    with system.uow() as uow:
        activate_policy(
            uow, clock=system.clock, source=source, activated_by=SIMULATOR, approved_by=SIMULATOR
        )
        uow.commit()


def _bars(console: Console) -> Progress:
    """Progress bars on ``console``, a run's phase and days each, gone when done."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    return Progress(*columns, TimeElapsedColumn(), console=console, transient=True)


@contextmanager
def _bar(console: Console, label: str) -> Iterator[Any]:
    with _bars(console) as bar:
        task = bar.add_task(label, total=None)

        def told(phase: str, done: int, total: int) -> None:
            bar.update(task, description=f"{label}: {phase}", completed=done, total=total)

        yield told


def _one(policy: _Policy, params: RunParams, *, progress: RunProgress) -> Measured:
    """Measure ``params`` under ``policy`` on a scratch database."""
    start = run_start(policy.jurisdiction, FIRST_DAY)
    clock = FixedClock(start)
    with (
        tempfile.TemporaryDirectory(prefix="healthcode-sim-") as folder,
        scratch_system(Path(folder), jurisdiction=policy.jurisdiction, clock=clock) as c,
    ):
        system = System(
            uow=c.uow,
            clock=clock,
            private_keys=c.private_keys,
            jurisdiction=policy.jurisdiction,
            proposal_kinds=c.proposal_kinds,
            job_kinds=c.job_kinds,
        )
        _activate(c, policy.source, policy.jurisdiction)
        measures, times = run_measured(system, params, progress=progress, timer=time.monotonic)
    measures["policy"] = {
        "file": policy.file,
        "jurisdiction": policy.jurisdiction,
        "version": policy.version,
        # the exact text measured: a proposal of the same text is shown these measures
        "sha256": source_sha256(policy.source),
    }
    return measures, times


Told = tuple[str, str, int, int]
"""A worker's progress: the policy's name, the phase, done and total."""
_told: Queue[Told] | None = None
"""In a worker process: where its runs tell their progress (``_worker``)."""


def _worker(parent: Runtime, told: Queue[Told]) -> None:
    """Start a worker process: it builds the system as its parent does and tells its progress
    on ``told``. Ctrl-C (sent to the terminal's whole group) is left to the parent, which stops
    the workers."""
    global _told
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as it started: said here too, for clarity
    restore(parent)
    _told = told


def _one_told(policy: _Policy, params: RunParams) -> Measured:
    """``_one`` in a worker process, its progress told under the policy's name."""

    def progress(phase: str, done: int, total: int) -> None:
        if _told is not None:
            _told.put((policy.name, phase, done, total))

    return _one(policy, params, progress=progress)


def _one_by_one(policies: list[_Policy], params: RunParams) -> dict[str, Measured]:
    errors = Console(stderr=True)
    measured: dict[str, Measured] = {}
    for policy in policies:
        with _bar(errors, policy.name) as told:
            measured[policy.name] = _one(policy, params, progress=told)
    return measured


def _side_by_side(policies: list[_Policy], params: RunParams, jobs: int) -> dict[str, Measured]:
    """Each policy's run in a worker process of its own, started afresh (``spawn``: nothing
    inherited but what it is handed), ``jobs`` at once, a progress bar each. A run that fails,
    or Ctrl-C, stops the others."""
    spawned = multiprocessing.get_context("spawn")
    told: Queue[Told] = spawned.Queue()
    # the workers start with Ctrl-C ignored (the disposition passes to a new process), so it
    # reaches the parent alone, even while a worker is still starting
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        pool = spawned.Pool(jobs, initializer=_worker, initargs=(runtime(), told))
    finally:
        signal.signal(signal.SIGINT, interrupt)
    try:
        runs: dict[str, AsyncResult[Measured]] = {
            p.name: pool.apply_async(_one_told, (p, params)) for p in policies
        }
        with _bars(Console(stderr=True)) as bar:
            tasks = {p.name: bar.add_task(f"{p.name}: waiting", total=None) for p in policies}
            while not all(run.ready() for run in runs.values()):
                for run in runs.values():
                    if run.ready() and not run.successful():
                        run.get()  # raises the run's error: the others are stopped below
                _show(told, bar, tasks)
                time.sleep(0.2)
        measured = {name: run.get() for name, run in runs.items()}
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()
    return measured


def _show(told: Queue[Told], bar: Progress, tasks: dict[str, Any]) -> None:
    """Move each policy's bar to what its worker last told."""
    while True:
        try:
            name, phase, done, total = told.get_nowait()
        except Empty:
            return
        bar.update(tasks[name], description=f"{name}: {phase}", completed=done, total=total)


def _names(paths: list[Path]) -> list[str]:
    """A label per policy file: its name, made unique."""
    names: list[str] = []
    for path in paths:
        name = path.stem
        while name in names:
            name += "'"
        names.append(name)
    return names


def _table(runs: dict[str, dict[str, Any]]) -> Table:
    table = Table(title="Simulated city: each policy side by side")
    table.add_column("measure")
    for name in runs:
        table.add_column(name, justify="right")
    summaries = {name: summary(m) for name, m in runs.items()}
    for label, key in ROWS:
        table.add_row(label, *(shown(s[key]) for s in summaries.values()))
    return table


def _play(
    paths: list[Path], params: RunParams, report: Path, *, as_json: bool, jobs: int = 1
) -> dict[str, dict[str, Any]]:
    with refusals(as_json=as_json):
        params.check()
        policies = [_load(name, path) for name, path in zip(_names(paths), paths, strict=True)]
        jobs = min(jobs, len(policies))
        if jobs > 1:
            measured = _side_by_side(policies, params, jobs)
        else:
            measured = _one_by_one(policies, params)
    runs = {name: measures for name, (measures, _) in measured.items()}
    timings = {name: times for name, (_, times) in measured.items()}
    report.mkdir(parents=True, exist_ok=True)
    single = len(runs) == 1
    write_json(report / "measures.json", next(iter(runs.values())) if single else runs)
    write_json(report / "timings.json", next(iter(timings.values())) if single else timings)
    write_report(report, runs)
    return runs


@simulate_app.command("run")
def run(
    policy: Annotated[Path, typer.Option(help="The policy file in force (YAML).")],
    population: PopulationOpt = 2_000,
    days: DaysOpt = 14,
    seed: SeedOpt = 1,
    infected: InfectedOpt = None,
    report: ReportOpt = Path("var/simulation"),
    as_json: JsonOpt = False,
) -> None:
    """Play a seeded city under one policy; write the measures, timings and an HTML report."""
    params = RunParams(population=population, days=days, seed=seed, seeded=infected)
    runs = _play([policy], params, report, as_json=as_json)
    measures = next(iter(runs.values()))

    def human(console: Console) -> None:
        console.print(_table(runs))
        console.print(f"measures: {report / 'measures.json'}; report: {report / 'report.html'}")

    emit(measures, as_json=as_json, human=human)


@simulate_app.command("compare")
def compare(
    policies: Annotated[list[Path], typer.Argument(help="Policy files to compare.")],
    population: PopulationOpt = 2_000,
    days: DaysOpt = 14,
    seed: SeedOpt = 1,
    infected: InfectedOpt = None,
    report: ReportOpt = Path("var/simulation"),
    jobs: JobsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Play the same seeded city under each policy; tabulate them side by side."""
    if len(policies) < 2:
        with refusals(as_json=as_json):
            raise InvalidInput.one("policies", "give at least two policy files to compare")
    params = RunParams(population=population, days=days, seed=seed, seeded=infected)
    at_once = jobs if jobs is not None else os.cpu_count() or 1
    runs = _play(policies, params, report, as_json=as_json, jobs=at_once)

    def human(console: Console) -> None:
        console.print(_table(runs))
        console.print(f"measures: {report / 'measures.json'}; report: {report / 'report.html'}")

    emit(runs, as_json=as_json, human=human)
