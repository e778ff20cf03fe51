"""The API's appeal queue, what the console's queue shows: every appeal with its deadline and
an ``overdue`` flag, soonest deadline first."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi.testclient import TestClient

from factories import resident_id
from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from healthcode.status.test_results import record_test_result
from identity_helpers import add_test_official, official_headers, website_citizen


def _red_and_appealing(container: Container, client: TestClient, seq: int) -> str:
    subject, citizen = website_citizen(
        client, id_number=resident_id(seq), phone=f"1390000{seq:04d}"
    )
    record_test_result(
        uow=container.uow(),
        clock=container.clock,
        subject=subject,
        test_kind="pcr",
        result="positive",
        sampled_at=container.clock.now() - timedelta(hours=1),
    )
    filed = client.post("/api/v1/me/appeals", json={"reason": "not mine"}, headers=citizen)
    assert filed.status_code == 201, filed.text
    return str(filed.json()["id"])


def test_the_queue_gives_each_deadline_and_overdue_soonest_first(
    container: Container, client: TestClient, clock: FixedClock
) -> None:
    """Filed 3 h apart and read 7 h after the first: the first overdue, listed first."""
    first = _red_and_appealing(container, client, 2)  # filed first: the sooner deadline
    clock.advance(timedelta(hours=3))
    second = _red_and_appealing(container, client, 3)
    clock.advance(timedelta(hours=4))
    kit = add_test_official(container, "wang", "official")
    queue = client.get("/api/v1/appeals", headers=official_headers(client, kit, clock.now()))
    assert queue.status_code == 200, queue.text
    rows = queue.json()
    assert [r["id"] for r in rows] == [first, second]
    deadlines = [datetime.fromisoformat(r["due_at"]) for r in rows]
    assert deadlines == sorted(deadlines) and deadlines[1] - deadlines[0] == timedelta(hours=3)
    assert [r["overdue"] for r in rows] == [True, False]
