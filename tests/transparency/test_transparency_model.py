"""The report's pure rules: the period, colours per day replayed from the history, the
nearest-rank percentile and what makes an appeal overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from healthcode.kernel.errors import InvalidInput
from healthcode.transparency.model import (
    AppealTimes,
    ColourChange,
    Period,
    appeal_figures,
    colours_by_day,
    nearest_rank,
)

T = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_period_runs_from_the_first_day_to_the_end_of_the_last() -> None:
    """The period is half-open: from ``from`` at midnight to the midnight after ``to``."""
    period = Period.of(date(2026, 3, 1), date(2026, 3, 2))
    assert (period.start, period.end) == (
        datetime(2026, 3, 1, tzinfo=UTC),
        datetime(2026, 3, 3, tzinfo=UTC),
    )
    assert period.days() == [date(2026, 3, 1), date(2026, 3, 2)]


def test_a_period_defaults_to_thirty_days_up_to_today() -> None:
    """Without from and to, the period is the 30 days ending today."""
    period = Period.around(date(2026, 3, 30), None, None)
    assert (period.first, period.last) == (date(2026, 3, 1), date(2026, 3, 30))


def test_a_period_of_several_years_is_one_period() -> None:
    """A period longer than a year is accepted: the whole emergency is one report."""
    period = Period.of(date(2024, 1, 1), date(2026, 12, 31))
    assert period.length == len(period.days()) == 366 + 365 + 365


def test_the_whole_emergency_starts_on_the_day_of_the_first_record() -> None:
    """``since`` runs from the first record's UTC day to today; no record: today only."""
    period = Period.since(date(2027, 6, 1), T, None)
    assert (period.first, period.last) == (date(2026, 3, 1), date(2027, 6, 1))
    assert Period.since(date(2027, 6, 1), None, None).length == 1


def test_a_period_asked_by_dates_covers_at_most_ten_years() -> None:
    """More than 3653 days asked by dates is refused naming ``to``; the whole emergency is not."""
    with pytest.raises(InvalidInput, match="to: a period asked by dates covers at most 3653"):
        Period.of(date(2000, 1, 1), date(2026, 1, 1))
    assert Period.since(date(2026, 1, 1), T.replace(year=2000), None).length > 3653


def test_outside_the_system_days_is_refused() -> None:
    """A day before 2000 is refused, naming ``from``."""
    with pytest.raises(InvalidInput, match="from: must be from 2000-01-01"):
        Period.of(date(1999, 12, 31), date(2026, 1, 2))


def test_colours_are_counted_at_the_end_of_each_day() -> None:
    """A person's last colour of a day counts for that day and the days after."""
    changes = [
        ColourChange("a", T, "green"),
        ColourChange("b", T, "green"),
        ColourChange("a", T + H, "red"),
        ColourChange("a", T + 25 * H, "yellow"),
    ]
    days = colours_by_day(changes, [date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)])
    assert [dict(d.counts) for d in days] == [
        {"green": 0, "yellow": 0, "red": 0},
        {"green": 1, "yellow": 0, "red": 1},
        {"green": 1, "yellow": 1, "red": 0},
    ]


def test_nearest_rank_percentile() -> None:
    """The 95th percentile of 1..20 is 19; of one value, that value; of none, None."""
    assert nearest_rank([float(n) for n in range(20, 0, -1)], 0.95) == 19.0
    assert nearest_rank([7.0], 0.95) == 7.0
    assert nearest_rank([], 0.95) is None


def test_late_answers_and_unanswered_past_deadline_are_overdue() -> None:
    """Answered after the deadline, or open past it, is overdue; answered in time is not."""
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)
    appeals = [
        AppealTimes(T, T + 6 * H, T + 2 * H, "upheld"),
        AppealTimes(T, T + 6 * H, T + 8 * H, "corrected"),
        AppealTimes(T, T + 6 * H, None, "open"),
        AppealTimes(T + 10 * H, T + 16 * H, None, "open"),
    ]
    figures = appeal_figures(appeals, start, end, now=T + 12 * H)
    assert (figures.filed, figures.decided, figures.overdue) == (4, 2, 2)
    assert figures.median_seconds == 5 * 3600 and figures.p95_seconds == 8 * 3600
    assert dict(figures.outcomes) == {"upheld": 1, "corrected": 1, "open": 2}


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [(date(1, 1, 1), date(2026, 1, 1), "from"), (date(2026, 1, 1), date(9999, 12, 31), "to")],
)
def test_days_outside_the_systems_years_are_refused(first: date, last: date, field: str) -> None:
    """A day before 2000 or after 2099 is refused naming its field (no overflow)."""
    with pytest.raises(InvalidInput, match=f"{field}: must be from 2000-01-01 to 2099-12-31"):
        Period.of(first, last)
    with pytest.raises(InvalidInput, match="to: must be from"):
        Period.around(date(2026, 1, 1), None, date(1, 1, 1))
