"""The sunset over HTTP: an admin proposes, another admin and an auditor approve, collection
answers 503 "System retired", anyone reads the state; two admins reactivate."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from healthcode.container import Container
from healthcode.oversight.instance import SystemRetired
from identity_helpers import add_test_official, official_headers
from presence_helpers import person


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_sunset_over_http(container: Container, client: TestClient) -> None:
    """Propose, approve twice, refused collection, public state, then a reactivation."""
    now = container.clock.now()
    heads = {
        name: official_headers(client, add_test_official(container, name, role), now)
        for name, role in [("ada", "admin"), ("bo", "admin"), ("cy", "auditor")]
    }
    assert client.get("/api/v1/sunset").json()["phase"] == "collecting"
    made = client.post(
        "/api/v1/sunset", json={"reason": "emergency over", "grace_days": 3}, headers=heads["ada"]
    )
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    refused = client.post(f"/api/v1/sunset/{pid}/approve", json={}, headers=heads["ada"])
    assert refused.status_code == 403
    for name, status in (("bo", "pending"), ("cy", "approved")):
        answer = client.post(f"/api/v1/sunset/{pid}/approve", json={}, headers=heads[name])
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == status
    state = client.get("/api/v1/sunset").json()
    assert state["phase"] == "retired" and state["proposal"] == pid
    with pytest.raises(SystemRetired):
        person(container, 9)
    start = client.post("/api/v1/website/sign-up/start", json={"phone": "13900000009"})
    assert (start.status_code, start.json()["title"]) == (503, "System retired")
    again = client.post(
        "/api/v1/sunset/reactivation", json={"reason": "a new outbreak"}, headers=heads["bo"]
    )
    assert again.status_code == 201, again.text
    rid = again.json()["id"]
    by_auditor = client.post(f"/api/v1/sunset/{rid}/approve", json={}, headers=heads["cy"])
    assert by_auditor.status_code == 403
    done = client.post(f"/api/v1/sunset/{rid}/approve", json={}, headers=heads["ada"])
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert client.get("/api/v1/sunset").json()["phase"] == "collecting"
