"""The simulator's reports over HTTP for the console: those in the configured folder, newest
first, one's table and plots; refused without an official; a name outside the folder is not
found."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from healthcode.settings import Settings
from identity_helpers import add_test_official, official_headers, website_citizen
from simulation_reports_helpers import write_reports

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


MEASURED = "version: 'measured'\n"
"""The policy text two of the reports' runs measured (any text: only its digest is read)."""


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    write_reports(tmp_path / "reports", measured=MEASURED)
    return settings.model_copy(update={"simulation_reports_dir": tmp_path / "reports"})


def test_an_official_lists_the_reports_and_reads_one(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """Newer report first, no-report folder left out; a value a policy per row; plots PNG."""
    headers = official_headers(client, add_test_official(container, "zhou"), clock.now())
    listed = client.get("/api/v1/simulations", headers=headers)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["configured"] is True
    assert [(r["name"], r["policies"]) for r in body["reports"]] == [
        ("compare-2", ["hangzhou", "strict"]),
        ("run-1", ["hangzhou"]),
    ]
    read = client.get("/api/v1/simulations/compare-2", headers=headers)
    assert read.status_code == 200, read.text
    report = read.json()
    rows = {r["key"]: r for r in report["rows"]}
    assert rows["infections"]["shown"] == ["40", "1,234"]
    assert rows["precision"]["values"] == [0.25, 0.125]
    assert rows["p95_hours"]["shown"] == ["—", "—"]
    assert [p["name"] for p in report["plots"]] == ["infections", "restricted"]
    for plot in report["plots"]:
        assert base64.b64decode(plot["png_base64"]).startswith(b"\x89PNG")
    single = client.get("/api/v1/simulations/run-1", headers=headers).json()
    assert {r["key"]: r["shown"] for r in single["rows"]}["precision"] == ["—"]


def test_unknown_names_and_other_callers_are_refused(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """No credentials: 401; a citizen: 403; a name outside the folder or no report: 404."""
    assert client.get("/api/v1/simulations").status_code == 401
    _subject, citizen = website_citizen(client)
    assert client.get("/api/v1/simulations", headers=citizen).status_code == 403
    headers = official_headers(client, add_test_official(container, "zhou"), clock.now())
    for name in ("notes", "missing", "..", ".hidden", "run-1%2F..%2Frun-1"):
        answer = client.get(f"/api/v1/simulations/{name}", headers=headers)
        assert answer.status_code == 404, (name, answer.text)


def test_without_a_folder_the_list_says_so(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """An instance with no folder of reports: configured false, no report, none found."""
    headers = official_headers(client, add_test_official(container, "zhou"), clock.now())
    container.settings = container.settings.model_copy(update={"simulation_reports_dir": None})
    assert client.get("/api/v1/simulations", headers=headers).json() == {
        "configured": False,
        "reports": [],
    }
    assert client.get("/api/v1/simulations/run-1", headers=headers).status_code == 404


def test_the_runs_of_one_policy_text_are_found_by_its_digest(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """Runs naming the text's SHA-256, newest first; others none; a bad digest refused."""
    headers = official_headers(client, add_test_official(container, "zhou"), clock.now())
    digest = hashlib.sha256(MEASURED.encode()).hexdigest()
    answer = client.get(f"/api/v1/simulations/measured/{digest}", headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["sha256"], body["configured"]) == (digest, True)
    assert [(r["report"]["name"], r["policy"]) for r in body["runs"]] == [
        ("compare-2", "strict"),
        ("run-1", "hangzhou"),
    ]
    rows = {r["key"]: r for r in body["runs"][0]["rows"]}
    assert (rows["infections"]["values"], rows["precision"]["shown"]) == ([1234], ["0.12"])
    other = hashlib.sha256(b"version: 'never measured'\n").hexdigest()
    unmeasured = client.get(f"/api/v1/simulations/measured/{other}", headers=headers)
    assert unmeasured.json() == {"sha256": other, "configured": True, "runs": []}
    for bad in ("abc", digest.upper(), digest + "0"):
        refused = client.get(f"/api/v1/simulations/measured/{bad}", headers=headers)
        assert refused.status_code == 422, (bad, refused.text)
        assert "sha256" in refused.text
    _subject, citizen = website_citizen(client)
    assert client.get(f"/api/v1/simulations/measured/{digest}", headers=citizen).status_code == 403
