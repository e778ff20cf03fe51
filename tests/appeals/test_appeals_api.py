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


def test_a_correction_over_http_turns_the_code_green_and_the_history_says_why(
    container: Container, client: TestClient, clock: FixedClock
) -> None:
    """An approved answer_appeal turns the code green at once; the history names the appeal."""
    subject, citizen = website_citizen(client)
    wrong_test = _red(container, subject)
    appeal = client.post("/api/v1/me/appeals", json={"reason": "not mine"}, headers=citizen).json()
    wang = official_headers(client, add_test_official(container, "wang", "official"), clock.now())
    li = official_headers(client, add_test_official(container, "li", "supervisor"), clock.now())
    clock.advance(timedelta(hours=1))
    proposed = client.post(
        "/api/v1/proposals",
        json={
            "action": "answer_appeal",
            "payload": {"appeal": appeal["id"], "correction": "retract", "fact": wrong_test},
            "reason": "the sample was another person's",
        },
        headers=wang,
    )
    assert proposed.status_code == 201, proposed.text
    assert client.get("/api/v1/me/status", headers=citizen).json()["colour"] == "red"
    approved = client.post(
        f"/api/v1/proposals/{proposed.json()['id']}/approve", json={}, headers=li
    )
    assert approved.status_code == 200, approved.text
    assert client.get("/api/v1/me/status", headers=citizen).json()["colour"] == "green"
    last = client.get("/api/v1/me/status/history", headers=citizen).json()[-1]
    assert last["cause"].startswith(f"appeal {appeal['id']} corrected: retract")
    (mine,) = client.get("/api/v1/me/appeals", headers=citizen).json()
    assert (mine["state"], mine["correction"], mine["turnaround_seconds"]) == (
        "corrected",
        "retract",
        3600.0,
    )
    again = client.post(
        f"/api/v1/appeals/{appeal['id']}/uphold", json={"reason": "late"}, headers=wang
    )
    assert again.status_code == 409
