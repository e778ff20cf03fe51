"""Operations over HTTP: liveness, readiness against a real unreachable database, and the
Prometheus metrics of requests, codes, verifications and the job queue."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from healthcode.app import create_app
from healthcode.codes.keys import init_keys
from healthcode.container import Container
from healthcode.db.engine import build_session_factory
from healthcode.jobs.model import Job
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.ids import new_id
from healthcode.notifications.status_changes import WEBHOOK
from identity_helpers import website_citizen

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=2"


def _sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in a Prometheus text exposition (None if absent)."""
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if match is None or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if found == labels:
            return float(match.group(3))
    return None


def _unreachable(container: Container) -> None:
    """Point the container at a PostgreSQL port where nothing listens."""
    container.engine.dispose()
    container.engine = create_engine(UNREACHABLE)
    container.session_factory = build_session_factory(container.engine)


def test_health_and_readiness_answer(client: TestClient) -> None:
    """/healthz and /readyz answer 200 with status ok while the database answers."""
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "ok"}


def test_not_ready_without_the_database(client: TestClient, container: Container) -> None:
    """With the database unreachable /readyz is 503 problem+json, /healthz still 200."""
    _unreachable(container)
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.headers["content-type"].startswith("application/problem+json")
    assert "database" in ready.json()["detail"]
    assert client.get("/healthz").status_code == 200
    scraped = client.get("/metrics")
    assert scraped.status_code == 200
    assert _sample(scraped.text, "healthcode_database_up") == 0


def test_metrics_count_requests_codes_and_verifications(
    client: TestClient, container: Container
) -> None:
    """Codes by colour, verifications by outcome, requests by route template and status."""
    init_keys(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )
    _, headers = website_citizen(client)
    token = client.get("/api/v1/me/code", headers=headers).json()["token"]
    client.get("/api/v1/me/code", headers=headers)
    assert client.post("/api/v1/verify", json={"token": token}).status_code == 200
    assert client.post("/api/v1/verify", json={"token": "HZ1:NOPE"}).status_code == 200
    client.get("/api/v1/people/" + "f" * 32, headers=headers)
    client.get("/no/such/page")
    scraped = client.get("/metrics")
    assert scraped.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = scraped.text
    assert _sample(text, "healthcode_codes_issued_total", colour="green") == 2
    assert _sample(text, "healthcode_verifications_total", outcome="pass") == 1
    assert _sample(text, "healthcode_verifications_total", outcome="invalid") == 1
    code = {"route": "/api/v1/me/code", "method": "GET", "status": "200"}
    assert _sample(text, "healthcode_http_requests_total", **code) == 2
    assert _sample(text, "healthcode_http_request_duration_seconds_count", **code) == 2
    person = {"route": "/api/v1/people/{subject}", "method": "GET", "status": "403"}
    assert _sample(text, "healthcode_http_requests_total", **person) == 1
    lost = {"route": "unmatched", "method": "GET", "status": "404"}
    assert _sample(text, "healthcode_http_requests_total", **lost) == 1
    assert "f" * 32 not in text and "/no/such" not in text
    assert _sample(text, "healthcode_database_up") == 1


def test_metrics_read_the_queue_at_scrape_time(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """Jobs by kind and status, the oldest due job's wait, the outbox and job durations."""
    now = clock.now()
    jobs = [
        Job(id=new_id(), kind="trace_case", payload={}, dedup_key="a", run_after=now - timedelta(
            seconds=90), created_at=now - timedelta(seconds=120)),
        Job(id=new_id(), kind="trace_case", payload={}, dedup_key="b", run_after=now,
            created_at=now - timedelta(seconds=30)),
        Job(id=new_id(), kind="trace_case", payload={}, dedup_key="c",
            run_after=now + timedelta(hours=1), created_at=now),
        Job(id=new_id(), kind=WEBHOOK, payload={}, dedup_key="d", run_after=now, created_at=now),
    ]  # fmt: skip
    with container.uow() as uow:
        uow.jobs.enqueue_many(jobs)
        uow.jobs.finish(jobs[1].id, at=now + timedelta(seconds=2.5))
        uow.commit()
    text = client.get("/metrics").text
    assert _sample(text, "healthcode_jobs", kind="trace_case", status="pending") == 2
    assert _sample(text, "healthcode_jobs", kind="trace_case", status="done") == 1
    assert _sample(text, "healthcode_jobs", kind=WEBHOOK, status="pending") == 1
    assert _sample(text, "healthcode_job_oldest_due_seconds", kind="trace_case") == 90
    assert _sample(text, "healthcode_outbox_backlog") == 1
    assert _sample(text, "healthcode_job_duration_seconds_count", kind="trace_case") == 1
    seconds = _sample(text, "healthcode_job_duration_seconds_sum", kind="trace_case")
    assert seconds is not None and abs(seconds - 32.5) < 0.01
    clock.advance(timedelta(seconds=60))
    later = client.get("/metrics").text
    assert _sample(later, "healthcode_job_oldest_due_seconds", kind="trace_case") == 150


def test_each_app_counts_apart(container: Container) -> None:
    """Two apps in one process keep their own registries: one's requests are not the other's."""
    with TestClient(create_app(container=container)) as first:
        first.get("/healthz")
        first.get("/healthz")
    with TestClient(create_app(container=container)) as second:
        second.get("/healthz")
        text = second.get("/metrics").text
    ok = {"route": "/healthz", "method": "GET", "status": "200"}
    assert _sample(text, "healthcode_http_requests_total", **ok) == 1


def test_every_answer_has_its_own_request_id(client: TestClient) -> None:
    """Each answer carries a new X-Request-ID; a caller's own id is not taken up."""
    first = client.get("/healthz").headers["x-request-id"]
    second = client.get("/healthz", headers={"X-Request-ID": "13812341234"})
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert second.headers["x-request-id"] not in (first, "13812341234")
