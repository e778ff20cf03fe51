"""The headline figures of a simulated run's measures (``measures.json``), as the report's
table shows them: for the command's report and console alike (no plotting library here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ROWS: tuple[tuple[str, str], ...] = (
    ("infections", "infections"),
    ("confirmed cases", "confirmed_cases"),
    ("person-days yellow", "days_yellow"),
    ("person-days red", "days_red"),
    ("precision (any rule)", "precision"),
    ("recall (any rule)", "recall"),
    ("flagged per case", "flagged_per_case"),
    ("time to flag, median h", "median_hours"),
    ("time to flag, p95 h", "p95_hours"),
    ("false reds", "false_reds"),
)
"""The rows of the side-by-side table: a label and the key of ``summary``."""


def summary(measures: Mapping[str, Any]) -> dict[str, Any]:
    """The headline figures of one run's measures."""
    restricted = measures["person_days_restricted"]
    return {
        "infections": measures["infections"],
        "confirmed_cases": measures["confirmed_cases"],
        "days_yellow": restricted.get("yellow", 0),
        "days_red": restricted.get("red", 0),
        "precision": measures["precision"]["precision"],
        "recall": measures["recall"]["recall"],
        "flagged_per_case": measures["flagged_per_case"],
        "median_hours": measures["time_to_flag"]["median_hours"],
        "p95_hours": measures["time_to_flag"]["p95_hours"],
        "false_reds": measures["false_reds"]["false_reds"],
    }


def shown(value: Any) -> str:
    """A figure as the table shows it: two decimals, thousands separated, none as a dash."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)
