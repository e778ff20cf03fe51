"""A citizen's status, code and history over HTTP; the published trust list; online verify."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from healthcode.codes.keys import init_keys, list_keys
from healthcode.container import Container
from healthcode.credentials.signer import load_public_key
from healthcode.credentials.trustfile import load_trust_list
from healthcode.credentials.truststore import TrustStore
from healthcode.credentials.verify import Acceptance, verify
from healthcode.kernel.clock import FixedClock
from identity_helpers import website_citizen


def _keys(container: Container) -> None:
    init_keys(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )


def _fever(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/me/declarations/health",
        json={"temperature": 38.6, "symptoms": ["fever"]},
        headers=headers,
    )
    assert response.status_code == 201, response.text


def test_status_explains_itself_in_the_language_asked(client: TestClient) -> None:
    """After a fever declaration the status is yellow with its rule, in zh or en."""
    _, headers = website_citizen(client)
    assert client.get("/api/v1/me/status", headers=headers).json()["colour"] == "green"
    _fever(client, headers)
    english = client.get(
        "/api/v1/me/status", headers={**headers, "Accept-Language": "en-GB,en;q=0.9"}
    ).json()
    assert english["colour"] == "yellow" and english["language"] == "en"
    assert english["reasons"][0]["rule"] == "fever"
    assert english["reasons"][0]["text"] == "Fever declared"
    chinese = client.get(
        "/api/v1/me/status", headers={**headers, "Accept-Language": "zh-CN"}
    ).json()
    assert chinese["reasons"][0]["text"] == "申报发热"


def test_status_history_lists_each_change(client: TestClient, clock: FixedClock) -> None:
    """The history shows registration green, then yellow caused by the declaration."""
    _, headers = website_citizen(client)
    clock.advance(timedelta(minutes=1))
    _fever(client, headers)
    history = client.get(
        "/api/v1/me/status/history", headers={**headers, "Accept-Language": "en"}
    ).json()
    assert [(h["from"], h["to"]) for h in history] == [(None, "green"), ("green", "yellow")]
    assert history[1]["cause"].startswith("health_declaration ")
    assert history[1]["reasons"][0]["text"] == "Fever declared"


def test_status_needs_a_login(client: TestClient) -> None:
    """Without credentials the status and code are 401 problem+json."""
    for path in ("/api/v1/me/status", "/api/v1/me/status/history", "/api/v1/me/code"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")


def test_code_round_trip_through_the_published_trust_list(
    client: TestClient, container: Container
) -> None:
    """The code from /me/code verifies offline against /.well-known/…/trust-list."""
    _keys(container)
    _, headers = website_citizen(client)
    code = client.get("/api/v1/me/code", headers=headers)
    assert code.status_code == 200, code.text
    body = code.json()
    assert body["colour"] == "green" and body["masked_name"] == "张*丰"
    assert body["qr_svg"].lstrip().startswith("<?xml") or "<svg" in body["qr_svg"]
    assert body["qr_version"] <= 8
    document = client.get("/.well-known/healthcode/trust-list")
    assert document.status_code == 200
    [root] = [k for k in list_keys(uow=container.uow(), jurisdiction="330100") if k.role == "root"]
    store = TrustStore(roots={"330100": load_public_key(root.public_key)})
    store.accept(load_trust_list(document.text))
    decision = verify(
        body["token"],
        trust_lists=store,
        at=container.clock.now(),
        acceptance=Acceptance.green_only({"330100"}),
    )
    assert decision.passed and decision.masked_name == "张*丰"


def test_code_without_keys_is_refused_clearly(client: TestClient) -> None:
    """Before `keys init`, asking for a code says what the operator must do."""
    _, headers = website_citizen(client)
    response = client.get("/api/v1/me/code", headers=headers)
    assert response.status_code == 503
    assert "keys init" in response.json()["detail"]


def test_online_verify_says_when_the_status_changed(
    client: TestClient, container: Container
) -> None:
    """POST /verify passes a fresh code, then reports the holder's change to yellow."""
    _keys(container)
    _, headers = website_citizen(client)
    token = client.get("/api/v1/me/code", headers=headers).json()["token"]
    first = client.post("/api/v1/verify", json={"token": token}).json()
    assert (first["outcome"], first["status_changed"]) == ("pass", False)
    _fever(client, headers)
    second = client.post("/api/v1/verify", json={"token": token}).json()
    assert second["outcome"] == "pass"
    assert (second["status_changed"], second["current_colour"]) == (True, "yellow")
    hospital = client.post(
        "/api/v1/verify", json={"token": token, "colours": ["green", "yellow"]}
    ).json()
    assert hospital["outcome"] == "pass"


def test_online_verify_refuses_a_forged_code(client: TestClient, container: Container) -> None:
    """A tampered token is invalid with the exact reason; a bad colour name is a 422."""
    _keys(container)
    _, headers = website_citizen(client)
    token = client.get("/api/v1/me/code", headers=headers).json()["token"]
    forged = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    decision = client.post("/api/v1/verify", json={"token": forged}).json()
    assert decision["outcome"] == "invalid"
    assert decision["reason"] in {"bad_signature", "bad_encoding"}
    assert (
        client.post("/api/v1/verify", json={"token": token, "colours": ["blue"]}).status_code == 422
    )
