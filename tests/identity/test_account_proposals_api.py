"""Officials' accounts by four eyes through HTTP: listings never show a password's hash."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from identity_helpers import (
    PASSWORD,
    OfficialKit,
    add_test_official,
    official_headers,
    totp_code,
    totp_secret,
)


def test_listings_never_show_the_password_or_its_hash(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """Pending or decided, an account proposal is listed without the password or its hash."""
    root = official_headers(client, add_test_official(container, "root", "admin"), clock.now())
    ops = official_headers(client, add_test_official(container, "ops", "admin"), clock.now())
    li = official_headers(client, add_test_official(container, "li", "supervisor"), clock.now())
    body = {
        "username": "qian",
        "role": "official",
        "jurisdiction": "330100",
        "password": "a fresh passphrase",
        "reason": "new contact tracer",
    }
    proposed = client.post("/api/v1/officials", json=body, headers=root)
    assert proposed.status_code == 202, proposed.text
    pid = proposed.json()["id"]

    def listings() -> list[str]:
        return [
            proposed.text,
            client.get("/api/v1/officials/proposals", headers=ops).text,
            client.get("/api/v1/proposals", headers=li).text,
            client.get(f"/api/v1/proposals/{pid}", headers=li).text,
        ]

    assert client.get("/api/v1/officials/proposals", headers=li).status_code == 403
    assert all("argon2" not in t and "passphrase" not in t for t in listings())
    approved = client.post(f"/api/v1/proposals/{pid}/approve", json={}, headers=ops)
    assert approved.status_code == 200, approved.text
    assert all("argon2" not in t and "otpauth" not in t for t in listings())


def test_reset_totp_through_proposals_replaces_the_secret(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """`reset_totp` proposed and approved over HTTP: the old codes fail, the new URI's work."""
    root = official_headers(client, add_test_official(container, "root", "admin"), clock.now())
    ops = official_headers(client, add_test_official(container, "ops", "admin"), clock.now())
    kit = add_test_official(container, "qian", "official")
    body = {"action": "reset_totp", "payload": {"username": "qian"}, "reason": "lost phone"}
    proposed = client.post("/api/v1/proposals", json=body, headers=root)
    assert proposed.status_code == 201, proposed.text
    url = f"/api/v1/proposals/{proposed.json()['id']}/approve"
    approved = client.post(url, json={}, headers=ops)
    assert approved.status_code == 200, approved.text
    clock.advance(timedelta(minutes=1))  # past the steps the old secret's last login used
    later = clock.now()
    login = {"username": "qian", "password": PASSWORD}
    old = client.post(
        "/api/v1/officials/login", json={**login, "totp": totp_code(kit.secret, later)}
    )
    assert old.status_code == 401
    new_kit = OfficialKit("qian", "official", totp_secret(approved.json()["result"]["totp_uri"]))
    assert official_headers(client, new_kit, later)
