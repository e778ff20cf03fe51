"""Simulator reports written as ``healthcode simulate`` writes them (``write_json`` and
``write_report``), from small made-up measures: for the console's reports tests."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from healthcode.simulator.commands.report import write_json, write_report


def measures(
    policy: str, *, infections: int, precision: float | None, source: str | None = None
) -> dict[str, Any]:
    """A run's measures with the fields the report's table and plots read; with ``source``, the
    run names that policy text's SHA-256 as ``healthcode simulate`` does."""
    named = {} if source is None else {"sha256": hashlib.sha256(source.encode()).hexdigest()}
    return {
        "params": {"population": 2000, "days": 3, "seed": 1, "seeded": 5, "compliance": 0.9},
        "policy": {"file": f"{policy}.yaml", "jurisdiction": "330100", "version": "1", **named},
        "infections": infections,
        "confirmed_cases": 4,
        "person_days_restricted": {"yellow": 12, "red": 7},
        "precision": {"precision": precision},
        "recall": {"recall": 0.5},
        "flagged_per_case": 3.25,
        "time_to_flag": {"median_hours": 20.5, "p95_hours": None},
        "false_reds": {"false_reds": 0},
        "infections_per_day": [5, infections - 8, 3],
        "colours_per_day": [{"green": 2000}, {"green": 1990, "yellow": 10}, {"red": 3}],
        "rules": {},
    }


def write_reports(folder: Path, *, measured: str | None = None) -> None:
    """``folder/run-1`` (one policy, older) and ``folder/compare-2`` (two policies, newer),
    and a folder that is no report. With ``measured`` (a policy text), run-1's run and
    compare-2's ``strict`` name that text's digest; the others name none (written before runs
    did)."""
    one = measures("hangzhou", infections=40, precision=None, source=measured)
    two = {
        "hangzhou": measures("hangzhou", infections=40, precision=0.25),
        "strict": measures("strict", infections=1234, precision=0.125, source=measured),
    }
    for name, runs, written in (
        ("run-1", {"hangzhou": one}, 1_770_000_000),
        ("compare-2", two, 1_770_000_600),
    ):
        report = folder / name
        report.mkdir(parents=True)
        write_json(report / "measures.json", one if len(runs) == 1 else runs)
        write_report(report, runs)
        os.utime(report / "measures.json", (written, written))
    (folder / "notes").mkdir()
    (folder / "notes" / "measures.json").write_text("not JSON", encoding="utf-8")
