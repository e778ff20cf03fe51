"""The console's dashboard and map over HTTP: officials read counts, citizens and anonymous
callers are refused, the map's days are checked."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from dashboard_helpers import a_week
from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from identity_helpers import add_test_official, official_headers, website_citizen

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_an_official_reads_the_dashboard_and_the_map(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """The figures of the week come back as JSON, the map's cell with its boundary."""
    week = a_week(container, clock)
    headers = official_headers(client, add_test_official(container, "zhou"), clock.now())
    answer = client.get("/api/v1/dashboard", headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["today"] == "2026-03-03"
    assert body["colours"][-1]["counts"] == {"green": 2, "yellow": 0, "red": 7}
    assert body["cases"][-2]["counts"] == {"reported": 4, "confirmed": 4}
    assert (body["flagged_checkins"], body["proposals_waiting"]) == (1, {"confirm_case": 1})
    found = client.get("/api/v1/dashboard/map", params={"days": 7}, headers=headers)
    assert found.status_code == 200, found.text
    (cell,) = found.json()["cells"]
    assert cell["cell"] == week.places.restaurant.cell
    assert (cell["cases"], cell["exposures"], cell["risk_level"]) == (3, 6, "high")
    assert len(cell["boundary"]) == 6
    assert "subject" not in found.text and week.cases[0] not in found.text


def test_citizens_and_strangers_are_refused(client: TestClient) -> None:
    """No credentials: 401; a citizen's session: 403."""
    assert client.get("/api/v1/dashboard").status_code == 401
    _subject, headers = website_citizen(client)
    assert client.get("/api/v1/dashboard", headers=headers).status_code == 403
    assert client.get("/api/v1/dashboard/map", headers=headers).status_code == 403


def test_the_maps_days_are_checked(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """Days outside 1 to 30 are refused naming the field."""
    headers = official_headers(client, add_test_official(container, "zhou"), clock.now())
    answer = client.get("/api/v1/dashboard/map", params={"days": 31}, headers=headers)
    assert answer.status_code == 422
    assert "days" in answer.text
