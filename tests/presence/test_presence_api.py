"""Venues, place codes, check-ins, checkpoint uploads, locations and employers over HTTP."""

from __future__ import annotations

import base64
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from factories import resident_id
from healthcode.checkpoint.batches import sign_batch
from healthcode.container import Container
from healthcode.credentials.cose import public_key_bytes
from healthcode.kernel.clock import FixedClock
from healthcode.presence.employers import sign_staff_check
from identity_helpers import PASSWORD, add_test_official, bearer, official_headers, website_citizen
from presence_helpers import FAR_AWAY, SHANGHAI, T0, WEST_LAKE, keys, scan


def _admin(client: TestClient, container: Container) -> dict[str, str]:
    return official_headers(client, add_test_official(container, "admin-1", "admin"), T0)


def _venue(client: TestClient, admin: dict[str, str], **overrides: object) -> dict[str, object]:
    org = client.post("/api/v1/organisations", json={"name": "西湖餐饮"}, headers=admin)
    assert org.status_code == 201, org.text
    body = {
        "organisation": org.json()["id"],
        "name_zh": "楼外楼",
        "name_en": "Louwailou",
        "kind": "restaurant",
        "lat": WEST_LAKE[0],
        "lon": WEST_LAKE[1],
        **overrides,
    }
    venue = client.post("/api/v1/venues", json=body, headers=admin)
    assert venue.status_code == 201, venue.text
    result: dict[str, object] = venue.json()
    return result


def _device(client: TestClient, admin: dict[str, str], venue: str) -> tuple[str, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    raw = base64.urlsafe_b64encode(public_key_bytes(key.public_key())).decode().rstrip("=")
    response = client.post(
        f"/api/v1/venues/{venue}/devices", json={"public_key": raw}, headers=admin
    )
    assert response.status_code == 201, response.text
    return response.json()["device"], key


def _login(client: TestClient, phone: str) -> dict[str, str]:
    response = client.post("/api/v1/website/login", json={"phone": phone, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return bearer(response.json()["token"])


def test_venue_posters_and_check_in_end_to_end(client: TestClient, container: Container) -> None:
    """A check-in on site is a visit; one 6 km away is flagged until an official confirms it."""
    keys(container)
    admin = _admin(client, container)
    venue = _venue(client, admin)
    assert venue["entry_colours"] == ["green"]
    svg = client.get(f"/api/v1/venues/{venue['id']}/poster.svg", headers=admin)
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "楼外楼" in svg.text and "Louwailou" in svg.text
    pdf = client.get(f"/api/v1/venues/{venue['id']}/poster.pdf", headers=admin)
    assert pdf.content.startswith(b"%PDF")

    subject, citizen = website_citizen(client)
    here = {"place_code": venue["place_code"], "lat": WEST_LAKE[0], "lon": WEST_LAKE[1]}
    answer = client.post(
        "/api/v1/me/checkins", json=here, headers={**citizen, "Accept-Language": "en"}
    )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["outcome"], answer.json()["flagged"]) == ("pass", False)
    assert answer.json()["text"] == "Louwailou: pass"
    far = {**here, "lat": FAR_AWAY[0], "lon": FAR_AWAY[1]}
    flagged = client.post("/api/v1/me/checkins", json=far, headers=citizen).json()
    assert flagged["flagged"] is True and "标记待核实" in flagged["text"]
    assert len(client.get("/api/v1/me/presences", headers=citizen).json()) == 1

    official = official_headers(client, add_test_official(container, "official-1"), T0)
    waiting = client.get("/api/v1/checkins/flagged", headers=official).json()
    assert [c["id"] for c in waiting] == [flagged["id"]]
    confirmed = client.post(f"/api/v1/checkins/{flagged['id']}/confirm", headers=official)
    assert confirmed.json()["state"] == "confirmed"
    assert len(client.get("/api/v1/me/presences", headers=citizen).json()) == 2
    log = client.get("/api/v1/me/access-log", headers=citizen)
    assert any(r["what"] == "flagged check-ins" for r in log.json())
    assert subject


def test_device_uploads_are_idempotent_and_fevers_change_the_status(
    client: TestClient, container: Container
) -> None:
    """A signed batch is stored once however often sent; a fever turns yellow; a forgery is 422."""
    keys(container)
    admin = _admin(client, container)
    venue = _venue(client, admin)
    device, key = _device(client, admin, str(venue["id"]))
    subject, citizen = website_citizen(client)
    body = sign_batch(
        device,
        [scan(1, subject, T0), scan(2, subject, T0, outcome="stop", temperature=38.0)],
        private_key=key,
    )
    first = client.post("/api/v1/scans/batches", json=body)
    assert first.status_code == 200, first.text
    assert (first.json()["stored"], first.json()["fevers"]) == (2, 1)
    again = client.post("/api/v1/scans/batches", json=body).json()
    assert (again["stored"], again["duplicates"], again["first_time"]) == (0, 2, False)
    assert client.get("/api/v1/me/status", headers=citizen).json()["colour"] == "yellow"
    forged = {
        **body,
        "signature": sign_batch(device, [scan(9, subject, T0)], private_key=key)["signature"],
    }
    refused = client.post("/api/v1/scans/batches", json=forged)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "signature"


def test_locations_itinerary_and_consent(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """Own GPS pings become stays and an arrival; without location consent the batch is refused."""
    clock.set(T0 - timedelta(hours=20))  # signed up (consenting) before the pings
    subject, _ = website_citizen(client)
    _, _ = website_citizen(
        client, id_number=resident_id(5), phone="13900000005", consent_location=False
    )
    clock.set(T0)
    citizen, refusing = _login(client, "13812341234"), _login(client, "13900000005")
    start = T0 - timedelta(hours=19)
    pings = [
        {"lat": SHANGHAI[0], "lon": SHANGHAI[1], "at": (start + timedelta(hours=h)).isoformat()}
        for h in range(6)
    ] + [
        {"lat": WEST_LAKE[0], "lon": WEST_LAKE[1], "at": (start + timedelta(hours=h)).isoformat()}
        for h in range(8, 13)
    ]
    stored = client.post("/api/v1/me/locations", json={"pings": pings}, headers=citizen)
    assert stored.status_code == 201, stored.text
    assert stored.json()["stays"] == 2
    assert [(a["from"], a["to"]) for a in stored.json()["arrivals"]] == [("310000", "330100")]
    itinerary = client.get("/api/v1/me/itinerary", headers=citizen).json()
    assert [e["jurisdiction"] for e in itinerary] == ["330100", "310000"]
    refused = client.post("/api/v1/me/locations", json={"pings": pings[:1]}, headers=refusing)
    assert refused.status_code == 422
    assert "no recorded consent" in refused.json()["errors"][0]["message"]
    assert subject


def test_employer_sees_pass_or_stop_only_after_consent(
    client: TestClient, container: Container
) -> None:
    """A gate learns nothing until the person consents; each pass or stop it learns is logged."""
    keys(container)
    admin = _admin(client, container)
    venue = _venue(client, admin, kind="office")
    device, key = _device(client, admin, str(venue["id"]))
    subject, citizen = website_citizen(client)
    org = str(venue["organisation"])
    listed = client.post(
        f"/api/v1/organisations/{org}/staff", json={"subject": subject}, headers=admin
    )
    assert listed.status_code == 201, listed.text

    def ask() -> dict[str, str]:
        body = sign_staff_check(device, [subject], at=T0, private_key=key)
        response = client.post("/api/v1/staff-checks", json=body)
        assert response.status_code == 200, response.text
        answers: dict[str, str] = response.json()["answers"]
        return answers

    def gate_reads() -> list[str]:
        log = client.get("/api/v1/me/access-log", headers=citizen).json()
        return [r["what"] for r in log if r["actor"] == f"device:{device}"]

    assert ask() == {subject: "not_listed"}
    assert client.get("/api/v1/me/employers", headers=citizen).json()[0]["state"] == "pending"
    client.post(f"/api/v1/me/employers/{org}", headers=citizen)
    assert ask() == {subject: "pass"}
    assert gate_reads() == ["staff pass or stop"]
    client.delete(f"/api/v1/me/employers/{org}", headers=citizen)
    assert ask() == {subject: "not_listed"}
    assert gate_reads() == ["staff pass or stop"]


def test_a_venue_at_tiananmen_is_a_422_naming_the_distance(
    client: TestClient, container: Container
) -> None:
    """Through the API, a Hangzhou venue at Tiananmen's coordinates is refused with 422."""
    admin = _admin(client, container)
    org = client.post("/api/v1/organisations", json={"name": "北京公司"}, headers=admin).json()
    body = {
        "organisation": org["id"],
        "name_zh": "天安门",
        "name_en": "Tiananmen",
        "kind": "other",
        "lat": 39.9087,
        "lon": 116.3975,
    }
    refused = client.post("/api/v1/venues", json=body, headers=admin)
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert error["field"] == "lat"
    assert "is 1,124 km from Hangzhou" in error["message"]
    assert client.get("/api/v1/venues", headers=admin).json() == []
