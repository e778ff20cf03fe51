"""`healthcode report transparency` prints the report as JSON and writes the public page."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_helpers import ok, run
from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from healthcode.settings import Settings
from transparency_helpers import OVERRIDE_REASON, a_day


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_console_prints_the_report_and_writes_the_page(
    container: Container, clock: FixedClock, cli_env: Settings, tmp_path: Path
) -> None:
    """--json gives the same figures as the API; --html writes the page to a file."""
    a_day(container, clock)
    page = tmp_path / "report.html"
    at = clock.now().isoformat()
    body = ok(
        "report", "transparency", "--from", "2026-03-01", "--to", "2026-03-01",
        "--html", str(page), "--at", at,
    )  # fmt: skip
    assert body["colours"] == [{"day": "2026-03-01", "green": 1, "yellow": 0, "red": 1}]
    assert body["overrides"] == {OVERRIDE_REASON: 1}
    assert (body["appeals"]["filed"], body["break_glass"]["people"]) == (2, 1)
    assert "<td>2026-03-01</td><td>1</td><td>0</td><td>1</td>" in page.read_text()
    code, out, _ = run(
        "report", "transparency", "--from", "2026-03-01", "--to", "2026-03-01", "--at", at
    )
    assert code == 0 and "1 overdue" in out and "break-glass uses: 1" in out


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_reversed_period_is_refused(cli_env: Settings) -> None:
    """--to before --from exits 1 naming ``to``."""
    code, _, err = run("report", "transparency", "--from", "2026-03-02", "--to", "2026-03-01")
    assert code == 1 and "to" in err
