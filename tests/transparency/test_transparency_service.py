"""The transparency report on a real database: every figure of a day with a correction on
appeal, an override, a break-glass read and an overdue appeal."""

from __future__ import annotations

from datetime import date

import pytest

from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import InvalidInput
from healthcode.oversight.audit import BREAK_GLASS
from healthcode.transparency.report import transparency_report
from transparency_helpers import OVERRIDE_REASON, a_day

DAY = date(2026, 3, 1)  # T0's day


def test_each_figure_of_a_day_is_counted(container: Container, clock: FixedClock) -> None:
    """Colours, data held, reads, overrides, appeals and break glass match what happened."""
    a_day(container, clock)
    report = transparency_report(
        uow=container.uow(), clock=clock, first=date(2026, 2, 28), last=DAY
    )
    before, day = report.colours
    assert (before.day, dict(before.counts)) == (
        date(2026, 2, 28),
        {"green": 0, "yellow": 0, "red": 0},
    )
    assert (day.day, dict(day.counts)) == (DAY, {"green": 1, "yellow": 0, "red": 1})
    assert report.held["people"] == 2
    # the wrong test and the record taking it back: facts are appended, never edited
    assert (report.held["test_results"], report.held["manual_overrides"]) == (2, 1)
    assert report.held["appeals"] == 2
    assert dict(report.purged) == {"closed_accounts": 0}
    glass = [r for r in report.reads if (r.role, r.purpose) == (BREAK_GLASS, BREAK_GLASS)]
    assert [r.count for r in glass] == [1]
    assert report.unmaskings == 0
    assert dict(report.overrides) == {OVERRIDE_REASON: 1}
    appeals = report.appeals
    assert (appeals.filed, appeals.decided, appeals.overdue) == (2, 1, 1)
    assert dict(appeals.outcomes) == {"corrected": 1, "open": 1}
    assert appeals.median_seconds == appeals.p95_seconds == 2.5 * 3600
    assert (report.break_glass.uses, report.break_glass.people) == (1, 1)
    assert sum(report.break_glass.by_what.values()) == 1
    assert (report.bulk_actions.proposed, report.bulk_actions.people) == (0, 0)


def test_a_period_before_anything_happened_counts_nothing(
    container: Container, clock: FixedClock
) -> None:
    """Nothing happened in February: no reads, overrides, appeals or break glass counted."""
    a_day(container, clock)
    report = transparency_report(
        uow=container.uow(), clock=clock, first=date(2026, 2, 1), last=date(2026, 2, 28)
    )
    assert len(report.colours) == 28
    assert all(sum(d.counts.values()) == 0 for d in report.colours)
    assert (report.reads, dict(report.overrides)) == ([], {})
    assert (report.appeals.filed, report.appeals.decided, report.appeals.overdue) == (0, 0, 0)
    assert report.appeals.median_seconds is None
    assert report.break_glass.uses == 0


def test_a_reversed_period_is_refused_naming_the_field(
    container: Container, clock: FixedClock
) -> None:
    """``to`` before ``from`` is refused, naming ``to``."""
    with pytest.raises(InvalidInput, match="to: must not be before from"):
        transparency_report(uow=container.uow(), clock=clock, first=DAY, last=date(2026, 2, 1))
