"""A report over more than a year: the whole emergency from its first record, the same
figures as its years summed, kept whole by the sunset's final report and shown by the API,
the page and the console."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from cli_helpers import ok
from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from healthcode.settings import Settings
from healthcode.sunset.purge import final_report, purge_if_due
from healthcode.transparency.model import TransparencyReport
from healthcode.transparency.report import transparency_report
from sunset_helpers import retire
from transparency_helpers import OVERRIDE_REASON, a_day, a_later_override

FIRST = date(2026, 3, 1)  # T0's day: the instance's first record
LATER = timedelta(days=450)  # the second override, well over a year later


def _two_years(container: Container, clock: FixedClock) -> None:
    day = a_day(container, clock)
    clock.advance(LATER)
    a_later_override(container, day)


def _totals(report: TransparencyReport) -> tuple[int, int, int, int, int]:
    return (
        sum(report.overrides.values()),
        report.break_glass.uses,
        sum(r.count for r in report.reads),
        report.appeals.filed,
        report.appeals.decided,
    )


def test_the_whole_emergency_is_one_report_over_its_years(
    container: Container, clock: FixedClock
) -> None:
    """From the first record to today (> 366 days): the same figures as each year's summed."""
    _two_years(container, clock)
    today = clock.now().date()
    whole = transparency_report(uow=container.uow(), clock=clock, first=None, last=None, whole=True)
    assert (whole.period.first, whole.period.last, whole.whole) == (FIRST, today, True)
    assert whole.period.length > 366 and len(whole.colours) == whole.period.length
    assert dict(whole.overrides) == {OVERRIDE_REASON: 2}
    assert (whole.break_glass.uses, whole.appeals.filed) == (2, 2)
    assert sum(whole.colours[-1].counts.values()) == 2  # both residents, at the end
    split = FIRST + timedelta(days=365)
    years = [
        transparency_report(uow=container.uow(), clock=clock, first=a, last=b)
        for a, b in ((FIRST, split - timedelta(days=1)), (split, today))
    ]
    summed = tuple(sum(figures) for figures in zip(*map(_totals, years), strict=True))
    assert summed == _totals(whole)
    asked = transparency_report(uow=container.uow(), clock=clock, first=FIRST, last=today)
    assert _totals(asked) == _totals(whole) and asked.colours == whole.colours


def test_the_final_report_covers_the_whole_emergency(
    container: Container, clock: FixedClock
) -> None:
    """The sunset's purge keeps a report from the first record to the purge, not 30 days."""
    _two_years(container, clock)
    retire(container, grace_days=0)
    assert purge_if_due(uow=container.uow(), clock=clock) is not None
    kept = final_report(uow=container.uow())
    assert kept is not None
    assert (kept["period_from"], kept["period_to"]) == (FIRST.isoformat(), str(clock.now().date()))
    assert kept["whole_emergency"] is True and len(kept["colours"]) > 366
    assert kept["overrides"] == {OVERRIDE_REASON: 2}
    assert (kept["break_glass"]["uses"], kept["appeals"]["filed"]) == (2, 2)


def test_the_api_and_page_show_a_long_period_and_the_final_report(
    container: Container, clock: FixedClock, client: TestClient
) -> None:
    """?whole=true and two-year from/to answer; the page shows month ends, then the final."""
    _two_years(container, clock)
    today = str(clock.now().date())
    whole = client.get("/api/v1/transparency", params={"whole": "true"})
    assert whole.status_code == 200, whole.text
    assert (whole.json()["period_from"], whole.json()["whole_emergency"]) == ("2026-03-01", True)
    asked = client.get("/api/v1/transparency", params={"from": "2026-03-01", "to": today})
    assert asked.status_code == 200 and asked.json()["overrides"] == {OVERRIDE_REASON: 2}
    page = client.get("/transparency?whole=true&lang=en").text
    assert "at the end of each month" in page and "the whole emergency" in page
    assert "<td>2026-03-31</td>" in page and "<td>2026-03-30</td>" not in page
    assert 'id="final-link"' not in page
    retire(container, grace_days=0)
    purge_if_due(uow=container.uow(), clock=clock)
    final = client.get("/transparency?final=true&lang=en").text
    assert 'id="final"' in final and "2026-03-01 – " + today in final
    assert 'id="final-link"' in client.get("/transparency?lang=en").text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_console_prints_the_whole_emergency_and_the_final_report(
    container: Container, clock: FixedClock, cli_env: Settings
) -> None:
    """--whole reports from the first record; --final prints the report kept at the purge."""
    _two_years(container, clock)
    at = clock.now().isoformat()
    body = ok("report", "transparency", "--whole", "--at", at)
    assert (body["period_from"], body["overrides"]) == ("2026-03-01", {OVERRIDE_REASON: 2})
    retire(container, grace_days=0)
    purge_if_due(uow=container.uow(), clock=clock)
    kept = ok("report", "transparency", "--final", "--at", at)
    assert kept["whole_emergency"] is True and kept["break_glass"]["uses"] == 2
