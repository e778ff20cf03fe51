"""The simulator's reports for the console: those in a folder (each a folder of it that
``healthcode simulate ... --report DIR/NAME`` wrote: ``measures.json``, the plots and
``report.html``), and one report's table and plots. Reports are files of simulated quantities
only (no one's data); the folder is the instance's ``simulation_reports_dir``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from healthcode.kernel.errors import NotFound
from healthcode.simulator.report_figures import ROWS, shown, summary

NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
"""A report's name: its folder's (no path, nothing hidden)."""
PLOTS: Final = (
    ("infections", "New infections per day of the run"),
    ("restricted", "Residents with a yellow or red code, each day of the run"),
)
"""The plots a report holds (``{name}.png``) and their titles. The images carry no words but
the policies' names: a page titles them in its own language (the report's HTML in English, the
console in the official's)."""
SHA256: Final = re.compile(r"[0-9a-f]{64}")
"""A policy text's SHA-256 as a report names it (``policy.sha256`` of each run's measures)."""
MAX_BYTES: Final = 8 * 1024 * 1024
"""A measures file or plot larger than this is not read (a report's are tens of kilobytes)."""


@dataclass(frozen=True, kw_only=True)
class ReportEntry:
    name: str
    written_at: datetime
    """When its measures were written (the file's time, UTC)."""
    policies: tuple[str, ...]
    population: int
    days: int
    seed: int


@dataclass(frozen=True, kw_only=True)
class Row:
    key: str
    label: str
    values: tuple[float | int | None, ...]
    """One a policy, in the order of ``policies``."""
    shown: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Measurement:
    """One run of a report under the policy text asked about: what it caught and cost."""

    report: ReportEntry
    policy: str
    """The run's policy, as the report names it."""
    rows: tuple[Row, ...]
    """The report's rows, one value each (this run's)."""


@dataclass(frozen=True, kw_only=True)
class Report:
    entry: ReportEntry
    rows: tuple[Row, ...]
    plots: tuple[tuple[str, str, bytes | None], ...]
    """Name, title and PNG bytes (None when the file is missing)."""


def _runs(measures: Any) -> dict[str, dict[str, Any]]:
    """Measures by policy: a run's file holds its measures, a comparison's one set a policy."""
    if isinstance(measures, dict) and "params" in measures:
        return {Path(str(measures["policy"]["file"])).stem: measures}
    if (
        isinstance(measures, dict)
        and measures
        and all(isinstance(m, dict) for m in measures.values())
    ):
        return {str(name): m for name, m in measures.items()}
    raise ValueError("not a simulator's measures")


def _small(path: Path) -> bytes | None:
    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def _read(folder: Path) -> tuple[ReportEntry, dict[str, dict[str, Any]]] | None:
    """A report folder's entry and measures by policy, or None when it holds none readable."""
    measures_file = folder / "measures.json"
    raw = _small(measures_file)
    if raw is None:
        return None
    try:
        runs = _runs(json.loads(raw))
        params = next(iter(runs.values()))["params"]
        entry = ReportEntry(
            name=folder.name,
            written_at=datetime.fromtimestamp(measures_file.stat().st_mtime, UTC),
            policies=tuple(runs),
            population=int(params["population"]),
            days=int(params["days"]),
            seed=int(params["seed"]),
        )
        for measures in runs.values():
            summary(measures)
    except (ValueError, KeyError, TypeError, AttributeError, OSError, StopIteration):
        return None
    return entry, runs


def _reports(folder: Path | None) -> Iterator[tuple[ReportEntry, dict[str, dict[str, Any]]]]:
    """The readable reports in ``folder`` (none when no folder is configured), in no order."""
    if folder is None or not folder.is_dir():
        return
    for child in folder.iterdir():
        if child.is_dir() and NAME.fullmatch(child.name) and (read := _read(child)) is not None:
            yield read


def list_reports(*, folder: Path | None) -> list[ReportEntry]:
    """The reports in ``folder``, newest first (none when no folder is configured)."""
    found = [entry for entry, _ in _reports(folder)]
    return sorted(found, key=lambda e: (e.written_at, e.name), reverse=True)


def read_report(*, folder: Path | None, name: str) -> Report:
    """The report ``name`` of ``folder``: its table (the command's rows, a value a policy) and
    its plots; ``NotFound`` when there is no such readable report."""
    if folder is None or not NAME.fullmatch(name):
        raise NotFound("simulation report", name)
    read = _read(folder / name)
    if read is None:
        raise NotFound("simulation report", name)
    entry, runs = read
    plots = tuple((plot, title, _small(folder / name / f"{plot}.png")) for plot, title in PLOTS)
    return Report(entry=entry, rows=_rows(list(runs.values())), plots=plots)


def measurements_of(*, folder: Path | None, sha256: str) -> list[Measurement]:
    """Every run in ``folder``'s reports under the policy text whose SHA-256 is ``sha256``
    (``policies.model.source_sha256``), newest report first: what an official approving that
    text is shown. A report written before the runs named their text's digest matches none."""
    if not SHA256.fullmatch(sha256):
        return []
    found: list[Measurement] = []
    for entry, runs in _reports(folder):
        found += [
            Measurement(report=entry, policy=name, rows=_rows([measures]))
            for name, measures in runs.items()
            if _sha256_of(measures) == sha256
        ]
    return sorted(found, key=lambda m: (m.report.written_at, m.report.name), reverse=True)


def _sha256_of(measures: dict[str, Any]) -> str | None:
    policy = measures.get("policy")
    digest = policy.get("sha256") if isinstance(policy, dict) else None
    return digest if isinstance(digest, str) and SHA256.fullmatch(digest) else None


def _rows(runs: list[dict[str, Any]]) -> tuple[Row, ...]:
    """The table's rows over ``runs`` (a value a run, in their order)."""
    summaries = [summary(m) for m in runs]
    return tuple(
        Row(
            key=key,
            label=label,
            values=tuple(s[key] for s in summaries),
            shown=tuple(shown(s[key]) for s in summaries),
        )
        for label, key in ROWS
    )
