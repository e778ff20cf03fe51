"""`healthcode simulate measured FILE`: the simulator's runs of exactly this policy text in the
instance's folder of reports (``HEALTHCODE_SIMULATION_REPORTS_DIR``), with their headline
measures: what the console shows an official approving the text. The same reads as
``GET /api/v1/simulations/measured/{sha256}``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from healthcode.cli.context import load_settings
from healthcode.cli.options import JsonOpt
from healthcode.cli.output import emit, read_text_file, refusals
from healthcode.policies.model import source_sha256
from healthcode.policies.versions import check_policy
from healthcode.simulator.reports import Measurement, measurements_of


def measured(
    policy: Annotated[Path, typer.Argument(help="The policy file (YAML).")],
    as_json: JsonOpt = False,
) -> None:
    """List the simulator's runs of this exact policy text, newest first; none: never measured."""
    with refusals(as_json=as_json):
        settings = load_settings(as_json=as_json)
        source = read_text_file(policy, field="policy")
        checked = check_policy(source=source, budget=settings.policy_check_budget)
    sha256 = source_sha256(source)
    folder = settings.simulation_reports_dir
    runs = measurements_of(folder=folder, sha256=sha256)
    answer = {
        "sha256": sha256,
        "configured": folder is not None,
        "runs": [_plain(m) for m in runs],
    }

    def human(console: Console) -> None:
        console.print(f"{checked.jurisdiction} version {checked.version}; sha256 {sha256}")
        if folder is None:
            console.print("no folder of reports: set HEALTHCODE_SIMULATION_REPORTS_DIR")
        if not runs:
            console.print(
                "never measured in the simulated city: run healthcode simulate run "
                f"--policy {policy} --report DIR/NAME, DIR being the folder of reports"
            )
            return
        console.print(_table(runs))

    emit(answer, as_json=as_json, human=human)


def _plain(measurement: Measurement) -> dict[str, Any]:
    report = measurement.report
    return {
        "report": report.name,
        "written_at": report.written_at.isoformat(),
        "policy": measurement.policy,
        "population": report.population,
        "days": report.days,
        "seed": report.seed,
        "measures": {row.key: row.values[0] for row in measurement.rows},
    }


def _table(runs: list[Measurement]) -> Table:
    table = Table(title="The simulator's runs of this policy text, newest first")
    table.add_column("measure")
    for run in runs:
        r = run.report
        head = f"{r.name}: {run.policy}\n{r.population:,} × {r.days} d, seed {r.seed}"
        table.add_column(head, justify="right")
    for n, row in enumerate(runs[0].rows):
        table.add_row(row.label, *(run.rows[n].shown[0] for run in runs))
    return table
