"""The files of a measured run or comparison: ``measures.json`` (simulated quantities only,
byte-identical for the same seed), ``timings.json`` (wall seconds), plots of infections and
restrictions over time (PNG, matplotlib) and ``report.html`` that shows them with a table."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from jinja2 import Environment, select_autoescape
from matplotlib.ticker import MaxNLocator

from healthcode.simulator.report_figures import ROWS, shown, summary
from healthcode.simulator.reports import PLOTS

__all__ = ["ROWS", "shown", "summary", "write_json", "write_report"]


def write_json(path: Path, value: Any) -> None:
    """``value`` as sorted, indented JSON (the same value gives the same bytes)."""
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_report(folder: Path, runs: Mapping[str, Mapping[str, Any]]) -> Path:
    """Plots and ``report.html`` in ``folder`` for ``runs`` (measures by policy name)."""
    folder.mkdir(parents=True, exist_ok=True)
    series = {
        "infections": {name: m["infections_per_day"] for name, m in runs.items()},
        "restricted": {
            name: [sum(n for c, n in day.items() if c != "green") for day in m["colours_per_day"]]
            for name, m in runs.items()
        },
    }
    for plot, _ in PLOTS:
        _plot(folder / f"{plot}.png", series[plot])
    page = _TEMPLATE.render(
        plots=PLOTS,
        runs={name: summary(m) for name, m in runs.items()},
        rules={name: m["rules"] for name, m in runs.items()},
        params=next(iter(runs.values()))["params"] if runs else {},
        rows=ROWS,
        shown=shown,
    )
    path = folder / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def _plot(path: Path, series: Mapping[str, list[int]]) -> None:
    """One line a policy over the days of the run; no title or axis label: the page around
    the image says what it shows, in its own language."""
    figure, axes = plt.subplots(figsize=(8, 4))
    for name, values in series.items():
        axes.plot(range(len(values)), values, marker=".", label=name)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, format="png", metadata={"Software": None})
    plt.close(figure)


_TEMPLATE = Environment(autoescape=select_autoescape(default=True)).from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>healthcode simulation</title>
<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}</style></head><body>
<h1>Simulated city: what each policy caught and cost</h1>
<p>{{ params.population }} residents, {{ params.days }} days, seed {{ params.seed }},
{{ params.seeded }} infected at the start, compliance {{ params.compliance }}.
Measures defined in docs/simulator.md#measures.</p>
<table><tr><th></th>{% for name in runs %}<th>{{ name }}</th>{% endfor %}</tr>
{% for label, key in rows %}<tr><td>{{ label }}</td>
{% for name, s in runs.items() %}<td>{{ shown(s[key]) }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% for plot, title in plots %}<h2>{{ title }}</h2><img src="{{ plot }}.png" alt="{{ title }}">
{% endfor %}
<h2>Exposure rules</h2>
{% for name, by_rule in rules.items() %}<h3>{{ name }}</h3>
{% if by_rule %}<table><tr><th>rule</th><th>flagged</th><th>truly exposed</th>
<th>precision (exposed)</th><th>precision (infected)</th><th>recall</th></tr>
{% for rule, r in by_rule.items() %}<tr><td>{{ rule }}</td><td>{{ r.flagged }}</td>
<td>{{ r.truly_exposed }}</td><td>{{ shown(r.precision_exposed) }}</td>
<td>{{ shown(r.precision_infected) }}</td><td>{{ shown(r.recall) }}</td></tr>
{% endfor %}</table>{% else %}<p>No exposure recorded.</p>{% endif %}
{% endfor %}</body></html>
"""
)
