"""The transparency report over HTTP: the JSON route for auditors and the public page, both
without logging in, both naming no one."""

from __future__ import annotations

from fastapi.testclient import TestClient

from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from transparency_helpers import OVERRIDE_REASON, a_day


def test_auditors_read_the_report_as_json_without_logging_in(
    container: Container, clock: FixedClock, client: TestClient
) -> None:
    """GET /api/v1/transparency answers the day's figures to anyone."""
    a_day(container, clock)
    answer = client.get("/api/v1/transparency", params={"from": "2026-03-01", "to": "2026-03-01"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["colours"] == [{"day": "2026-03-01", "green": 1, "yellow": 0, "red": 1}]
    assert body["overrides"] == {OVERRIDE_REASON: 1}
    assert body["appeals"]["median_turnaround_seconds"] == 9000.0
    assert (body["appeals"]["overdue"], body["break_glass"]["uses"]) == (1, 1)
    assert body["bulk_actions"]["proposed"] == 0  # the day's override touched one person


def test_the_public_page_shows_the_figures_and_names_no_one(
    container: Container, clock: FixedClock, client: TestClient
) -> None:
    """GET /transparency renders the counts; no subject, name or reason text appears."""
    day = a_day(container, clock)
    page = client.get("/transparency?from=2026-03-01&to=2026-03-01&lang=en")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Transparency report" in html and OVERRIDE_REASON in html
    assert "<td>2026-03-01</td><td>1</td><td>0</td><td>1</td>" in html
    assert "2.5 h" in html  # the median turnaround
    assert 'id="bulk-actions"' in html and "Bulk actions" in html
    assert "<th>Green code</th><th>Yellow code</th><th>Red code</th>" in html
    chinese = client.get("/transparency?from=2026-03-01&to=2026-03-01&lang=zh").text
    assert "<th>绿码</th><th>黄码</th><th>红码</th>" in chinese  # the colours are translated
    for secret in (day.scene.subject, day.other, "13900000001", "phone was lost", "no test"):
        assert secret not in html


def test_a_reversed_period_is_a_problem(client: TestClient) -> None:
    """``to`` before ``from`` answers 422 naming ``to``."""
    answer = client.get("/api/v1/transparency", params={"from": "2026-03-02", "to": "2026-03-01"})
    assert answer.status_code == 422
    assert "to" in answer.text
