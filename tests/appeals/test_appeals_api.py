"""Appeals over HTTP: a website citizen files and reads theirs; an official answers; the
queue's overdue count shows in /metrics."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from healthcode.status.test_results import record_test_result
from identity_helpers import add_test_official, official_headers, website_citizen


def _red(container: Container, subject: str) -> str:
    fact, _ = record_test_result(
        uow=container.uow(),
        clock=container.clock,
        subject=subject,
        test_kind="pcr",
        result="positive",
        sampled_at=container.clock.now() - timedelta(hours=1),
    )
    return fact.id


def test_citizen_files_official_upholds_and_the_citizen_reads_why(
    container: Container, client: TestClient, clock: FixedClock
) -> None:
    """An appeal queues by deadline, shows overdue in /metrics; its answer reaches the citizen."""
    subject, citizen = website_citizen(client)
    _red(container, subject)
    filed = client.post(
        "/api/v1/me/appeals",
        json={"reason": "I was never tested that day", "evidence": "HZ-PCR-77"},
        headers=citizen,
    )
    assert filed.status_code == 201, filed.text
    appeal = filed.json()
    assert (appeal["state"], appeal["colour"], appeal["overdue"]) == ("open", "red", False)
    again = client.post("/api/v1/me/appeals", json={"reason": "again"}, headers=citizen)
    assert again.status_code == 409
    clock.advance(timedelta(hours=6, minutes=1))
    assert 'healthcode_appeals{state="overdue"} 1.0' in client.get("/metrics").text
    kit = add_test_official(container, "wang", "official")
    official = official_headers(client, kit, clock.now())
    (queued,) = client.get("/api/v1/appeals", headers=official).json()
    assert queued["id"] == appeal["id"] and queued["overdue"] is True
    upheld = client.post(
        f"/api/v1/appeals/{appeal['id']}/uphold",
        json={"reason": "the lab confirmed the sample"},
        headers=official,
    )
    assert upheld.status_code == 200, upheld.text
    assert upheld.json()["turnaround_seconds"] == (6 * 60 + 1) * 60
    (mine,) = client.get("/api/v1/me/appeals", headers=citizen).json()
    assert (mine["state"], mine["decision"]) == ("upheld", "the lab confirmed the sample")
    assert 'healthcode_appeals{state="open"} 0.0' in client.get("/metrics").text
    assert client.get("/api/v1/appeals", headers=citizen).status_code == 403


def test_an_empty_reason_is_refused_naming_the_field(client: TestClient) -> None:
    """A blank reason is a 422 naming `reason`."""
    _, citizen = website_citizen(client)
    answer = client.post("/api/v1/me/appeals", json={"reason": "  "}, headers=citizen)
    assert answer.status_code == 422
    assert "reason" in answer.text
