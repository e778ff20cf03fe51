"""Arrivals over HTTP between Beijing (the test's app, each backend) and Shanghai (an app in
this process): the citizen's consent from Shanghai's API, the arrival recorded by a Beijing
official through Beijing's API, the visitor read back; both access logs name the exchange."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from arrivals_helpers import BEIJING, SHANGHAI, DownLink, beijing_and_shanghai
from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from healthcode.settings import Settings
from identity_helpers import add_test_official, official_headers, website_citizen
from scope_helpers import access_records


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test's container serves Beijing."""
    return settings.model_copy(update={"jurisdiction": BEIJING})


def test_an_arrival_over_http(
    container: Container,
    client: TestClient,
    clock: FixedClock,
    tmp_path: Path,
    sqlite_template: Path,
) -> None:
    """Consent in Shanghai, arrival in Beijing: yellow here, each side's access log says so."""
    with beijing_and_shanghai(container, tmp_path, sqlite_template) as cities:
        subject, citizen = website_citizen(cities.shanghai_client)
        asked = cities.shanghai_client.post(
            "/api/v1/me/arrival-consent", json={"destination": BEIJING}, headers=citizen
        )
        assert asked.status_code == 201, asked.text
        consent = asked.json()
        assert consent["issuer"] == SHANGHAI and consent["qr_svg"].startswith("<")
        not_a_peer = cities.shanghai_client.post(
            "/api/v1/me/arrival-consent", json={"destination": "440300"}, headers=citizen
        )
        assert not_a_peer.status_code == 422
        kit = add_test_official(container, "zhou", "official", jurisdiction=BEIJING)
        zhou = official_headers(client, kit, clock.now())
        container.peer_link = DownLink
        down = client.post("/api/v1/arrivals", json={"token": consent["token"]}, headers=zhou)
        assert down.status_code == 400 and "310000 did not answer" in down.json()["detail"]
        container.peer_link = cities.link
        before = access_records(container, subject)
        arrived = client.post("/api/v1/arrivals", json={"token": consent["token"]}, headers=zhou)
        assert arrived.status_code == 201, arrived.text
        visitor = arrived.json()
        assert (visitor["issuer"], visitor["subject"]) == (SHANGHAI, subject)
        assert visitor["arrivals"][0]["origin_colour"] == "green"
        assert visitor["status"]["colour"] == "yellow"
        assert visitor["status"]["reasons"][0]["rule"] == "arrival-other-province"
        again = client.post("/api/v1/arrivals", json={"token": consent["token"]}, headers=zhou)
        assert again.status_code == 409
        read = client.get(f"/api/v1/arrivals/{SHANGHAI}/{subject}", headers=zhou)
        assert read.status_code == 200 and read.json()["status"]["colour"] == "yellow"
        assert access_records(container, subject) == before + 2
        assert client.post("/api/v1/arrivals", json={"token": "x"}).status_code == 401
        own_log = cities.shanghai_client.get("/api/v1/me/access-log", headers=citizen).json()
        assert [(r["actor"], r["purpose"]) for r in own_log] == [("peer:110000", "arrival")]
