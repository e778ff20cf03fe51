"""`healthcode simulate` and `healthcode simulate compare`: a seeded city played under a
policy on a scratch database, measured against the model's truth (docs/simulator.md#measures).

Each run gets its own fresh SQLite database in a temporary folder (never the configured one),
with the policy file in force: the jurisdiction's bundled policy as it is, any other activated
at the run's start. The measures go to ``measures.json`` (simulated quantities only: the same
seed writes the same bytes), wall times to ``timings.json``, plots and ``report.html`` next to
them."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from healthcode.cli.context import scratch_system
from healthcode.cli.groups import default_command
from healthcode.cli.options import JsonOpt
from healthcode.cli.output import emit, read_text_file, refusals
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import InvalidInput
from healthcode.policies.versions import activate_policy
from healthcode.policy.bundled import BUNDLED_FILES, bundled_policy_path
from healthcode.policy.loader import load_policy
from healthcode.simulator.commands.report import ROWS, shown, summary, write_json, write_report
from healthcode.simulator.drive import System, run_start
from healthcode.simulator.runs import FIRST_DAY, RunParams, run_measured

simulate_app = typer.Typer(
    cls=default_command("run"),
    help="Play a seeded synthetic city under a policy and measure tracing's accuracy and cost.",
    no_args_is_help=True,
)

PopulationOpt = Annotated[int, typer.Option(min=20, max=100_000, help="Residents of the city.")]
DaysOpt = Annotated[int, typer.Option(min=1, max=120, help="Days simulated.")]
SeedOpt = Annotated[int, typer.Option(help="Seed of the city and its epidemic.")]
ReportOpt = Annotated[
    Path, typer.Option(help="Folder for measures.json, timings.json, plots and report.html.")
]
SIMULATOR = "simulator"


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


@contextmanager
def _bar(console: Console, label: str) -> Iterator[Any]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def told(phase: str, done: int, total: int) -> None:
            bar.update(task, description=f"{label}: {phase}", completed=done, total=total)

        yield told


def _one(path: Path, params: RunParams, *, label: str) -> tuple[dict[str, Any], dict[str, float]]:
    """Measure ``params`` under the policy at ``path`` on a scratch database."""
    source = read_text_file(path, field="policy")
    policy = load_policy(source)
    start = run_start(policy.jurisdiction, FIRST_DAY)
    clock = FixedClock(start)
    errors = Console(stderr=True)
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
        _activate(c, source, policy.jurisdiction)
        with _bar(errors, label) as told:
            measures, times = run_measured(system, params, progress=told, timer=time.monotonic)
    measures["policy"] = {
        "file": path.name,
        "jurisdiction": policy.jurisdiction,
        "version": policy.version,
    }
    return measures, times


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
    policies: list[Path], params: RunParams, report: Path, *, as_json: bool
) -> dict[str, dict[str, Any]]:
    runs: dict[str, dict[str, Any]] = {}
    timings: dict[str, dict[str, float]] = {}
    with refusals(as_json=as_json):
        params.check()
        for name, path in zip(_names(policies), policies, strict=True):
            runs[name], timings[name] = _one(path, params, label=name)
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
    report: ReportOpt = Path("var/simulation"),
    as_json: JsonOpt = False,
) -> None:
    """Play a seeded city under one policy; write the measures, timings and an HTML report."""
    params = RunParams(population=population, days=days, seed=seed)
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
    report: ReportOpt = Path("var/simulation"),
    as_json: JsonOpt = False,
) -> None:
    """Play the same seeded city under each policy; tabulate them side by side."""
    if len(policies) < 2:
        with refusals(as_json=as_json):
            raise InvalidInput.one("policies", "give at least two policy files to compare")
    params = RunParams(population=population, days=days, seed=seed)
    runs = _play(policies, params, report, as_json=as_json)

    def human(console: Console) -> None:
        console.print(_table(runs))
        console.print(f"measures: {report / 'measures.json'}; report: {report / 'report.html'}")

    emit(runs, as_json=as_json, human=human)
