"""Peers over HTTP, with Shanghai as a second instance in this process: Hangzhou's admin
proposes it and a second admin approves, an admin syncs its list, and Hangzhou's /verify and
its signed trust bundle then accept Shanghai's codes; /metrics counts the syncs."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from federation_helpers import FakeFetcher, app_fetcher, city_instance, resident_code, root_key_text
from healthcode.app import create_app
from healthcode.codes.keys import init_keys, list_keys
from healthcode.container import Container
from healthcode.credentials.signer import load_public_key
from healthcode.credentials.verify import Acceptance, Outcome, verify
from healthcode.federation.bundle import open_bundle
from identity_helpers import add_test_official, official_headers

SHANGHAI = "310000"


def test_a_peer_over_http(
    container: Container, client: TestClient, tmp_path: Path, sqlite_template: Path
) -> None:
    """Add Shanghai by four eyes, sync, verify online and from the bundle, remove it."""
    now = container.clock.now()
    admin = official_headers(client, add_test_official(container, "ada", "admin"), now)
    bob = official_headers(client, add_test_official(container, "bob", "admin"), now)
    wang = official_headers(client, add_test_official(container, "wang", "official"), now)
    with (
        city_instance(
            tmp_path / "shanghai", sqlite_template, jurisdiction=SHANGHAI, clock=container.clock
        ) as shanghai,
        TestClient(create_app(container=shanghai)) as shanghai_client,
    ):
        container.peer_fetcher = app_fetcher(shanghai_client)
        visitor = resident_code(shanghai)
        body = {"jurisdiction": SHANGHAI, "url": "http://testserver", "root_key": ""}
        body |= {"root_key": root_key_text(shanghai), "reason": "travellers from Shanghai"}
        assert client.post("/api/v1/peers", json=body, headers=wang).status_code == 403
        own = client.post("/api/v1/peers", json={**body, "jurisdiction": "330100"}, headers=admin)
        assert own.status_code == 422 and own.json()["errors"][0]["field"] == "jurisdiction"
        proposed = client.post("/api/v1/peers", json=body, headers=admin)
        assert proposed.status_code == 202, proposed.text
        assert proposed.json()["action"] == "add_peer"
        assert client.get("/api/v1/peers", headers=admin).json() == []  # not before approval
        assert client.post("/api/v1/peers", json=body, headers=admin).status_code == 409
        (waiting,) = client.get("/api/v1/peers/proposals?status=pending", headers=bob).json()
        approve = f"/api/v1/proposals/{waiting['id']}/approve"
        assert client.post(approve, json={"note": ""}, headers=admin).status_code == 403
        assert client.post(approve, json={"note": ""}, headers=bob).status_code == 200
        assert client.post("/api/v1/peers", json=body, headers=admin).status_code == 409
        init_keys(
            uow=container.uow(),
            clock=container.clock,
            private_keys=container.private_keys,
            jurisdiction="330100",
        )
        before = client.post("/api/v1/verify", json={"token": visitor}).json()
        assert (before["outcome"], before["reason"]) == ("invalid", "unknown_kid")
        synced = client.post(f"/api/v1/peers/{SHANGHAI}/sync", headers=admin)
        assert synced.status_code == 200 and synced.json()["outcome"] == "accepted"
        assert client.post("/api/v1/peers/sync", headers=admin).json()[0]["outcome"] == (
            "unchanged"
        )
        after = client.post("/api/v1/verify", json={"token": visitor}).json()
        assert (after["outcome"], after["issuer"], after["colour"]) == ("pass", SHANGHAI, "green")
        (listed,) = client.get("/api/v1/peers", headers=admin).json()
        assert listed["list_sequence"] == 0 and listed["last_error"] is None
        assert listed["last_refusal"] is None
        assert listed["name"] == {"zh": "上海市", "en": "Shanghai"} and not listed["stale"]
        assert listed["syncs"] == {"accepted": 1, "unchanged": 1} and listed["refusals"] == 0
        bundle = client.get("/.well-known/healthcode/trust-bundle")
        assert bundle.status_code == 200 and bundle.json()["format"] == "healthcode-trust-bundle/1"
        (root,) = [
            k for k in list_keys(uow=container.uow(), jurisdiction="330100") if k.role == "root"
        ]
        offline = open_bundle(bundle.text, root_public_key=load_public_key(root.public_key))
        decision = verify(
            visitor, trust_lists=offline, at=now, acceptance=Acceptance.green_only({SHANGHAI})
        )
        assert decision.outcome is Outcome.PASS
        container.peer_fetcher = lambda: FakeFetcher()  # Shanghai is down now
        down = client.post("/api/v1/peers/sync", headers=admin).json()
        assert (down[0]["outcome"], down[0]["sequence"]) == ("unreachable", 0)
        still = client.post("/api/v1/verify", json={"token": visitor}).json()
        assert still["outcome"] == "pass"  # its last good list is kept
        metrics = client.get("/metrics").text
        assert 'healthcode_peer_syncs_total{outcome="accepted",peer="310000"} 1.0' in metrics
        assert 'healthcode_peer_list_sequence{peer="310000"} 0.0' in metrics
        assert 'healthcode_peer_syncs_total{outcome="unreachable",peer="310000"} 1.0' in metrics
        (listed,) = client.get("/api/v1/peers", headers=admin).json()
        assert listed["last_error"].startswith("unreachable: connection refused")
        assert listed["last_refusal"] == "unreachable"
        assert listed["refusals"] == 1 and listed["syncs"]["unreachable"] == 1
        why = {"reason": "Shanghai stopped publishing"}
        removal = client.post(f"/api/v1/peers/{SHANGHAI}/remove", json=why, headers=admin)
        assert removal.status_code == 202 and removal.json()["action"] == "remove_peer"
        assert client.post("/api/v1/verify", json={"token": visitor}).json()["outcome"] == "pass"
        decided = client.post(
            f"/api/v1/proposals/{removal.json()['id']}/approve", json={"note": ""}, headers=bob
        )
        assert decided.status_code == 200, decided.text
        assert client.post("/api/v1/peers/310000/remove", json=why, headers=admin).status_code == (
            404
        )
        gone = client.post("/api/v1/verify", json={"token": visitor}).json()
        assert gone["outcome"] == "invalid"
