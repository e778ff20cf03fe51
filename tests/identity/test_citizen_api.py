"""The citizen API over HTTP: registration, profile, declarations, problem+json refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import registration
from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from identity_helpers import PASSWORD, website_citizen
from sign_up_helpers import SIGN_UP, START, sign_up_body, subject_of_phone


def _sign_up_body(**overrides: Any) -> dict[str, Any]:
    return {**registration(**overrides), "password": PASSWORD, "code": "123456"}


def _register(client: TestClient, **overrides: Any) -> dict[str, Any]:
    """Sign up on the city website and log in: the profile plus the session token."""
    _, headers = website_citizen(client, verified=False, **overrides)
    body: dict[str, Any] = {"profile": client.get("/api/v1/me", headers=headers).json()}
    body["subject"] = body["profile"]["subject"]
    body["token"] = headers["Authorization"].removeprefix("Bearer ")
    return body


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_openapi_is_published(client: TestClient) -> None:
    """The OpenAPI document lists the citizen endpoints."""
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/registrations", "/api/v1/me", "/api/v1/me/declarations"} <= set(paths)


def test_register_then_read_own_masked_profile(client: TestClient) -> None:
    """A citizen signs up on the website, logs in, and reads their own profile masked."""
    registered = _register(client)
    assert registered["profile"]["name"] == "张*丰"
    me = client.get("/api/v1/me", headers=_auth(registered["token"]))
    assert me.status_code == 200
    assert me.json()["id_number"] == "1101**********002X"
    assert me.json()["subject"] == registered["subject"]


def test_invalid_registration_is_problem_json_naming_the_field(client: TestClient) -> None:
    """A bad check character is a 422 problem+json naming id_number and the rule."""
    response = client.post(SIGN_UP, json=_sign_up_body(id_number="110105194912310021"))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert {"field": "id_number", "message": "check character should be X"} in body["errors"]
    assert body["status"] == 422 and "id_number" in body["detail"]


def test_missing_field_is_problem_json(client: TestClient) -> None:
    """A body without a required field is a 422 problem+json naming that field."""
    body = _sign_up_body()
    del body["phone"]
    response = client.post(SIGN_UP, json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["phone"]


def test_a_second_claim_of_an_id_number_is_answered_like_the_first(
    client: TestClient, container: Container
) -> None:
    """The same ID number from another phone is accepted alike (no 409): both claims unverified."""
    # The same ID number signed up again from another phone is accepted alike (no 409 that
    # would tell it is registered): both claims stay unverified.
    first = _register(client)
    client.post(START, json={"phone": "13900000000"})
    second = client.post(SIGN_UP, json=sign_up_body(container, phone="13900000000"))
    assert second.status_code == 202, second.text
    assert first["profile"]["identity"] == "unverified"
    with container.uow() as uow:
        assert uow.persons.claimants(
            jurisdiction="330100", id_type="resident", id_number=registration()["id_number"]
        ) == sorted([first["subject"], subject_of_phone(container, "13900000000")])


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}])
def test_me_needs_a_valid_token(client: TestClient, headers: dict[str, str]) -> None:
    """Without a valid bearer token the own-data endpoints answer 401 problem+json."""
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"] == "Bearer"


def test_declarations_round_trip(client: TestClient, clock: FixedClock) -> None:
    """Health and travel declarations are posted and listed back in time order."""
    token = _register(client)["token"]
    health = client.post(
        "/api/v1/me/declarations/health",
        json={"temperature": 37.8, "symptoms": ["fever", "cough"]},
        headers=_auth(token),
    )
    assert health.status_code == 201, health.text
    clock.advance(timedelta(minutes=5))
    travel = client.post(
        "/api/v1/me/declarations/travel",
        json={"place": "310000", "from_date": "2026-02-25", "to_date": "2026-02-28"},
        headers=_auth(token),
    )
    assert travel.status_code == 201, travel.text
    listed = client.get("/api/v1/me/declarations", headers=_auth(token)).json()
    assert [d["kind"] for d in listed] == ["health_declaration", "travel_declaration"]
    assert listed[0]["symptoms"] == ["fever", "cough"]
    assert listed[1]["place"] == "310000"


def test_bad_declarations_are_refused(client: TestClient) -> None:
    """Out-of-range temperatures and future travel are 422 naming the field; nothing is kept."""
    token = _register(client)["token"]
    hot = client.post(
        "/api/v1/me/declarations/health", json={"temperature": 45}, headers=_auth(token)
    )
    assert hot.status_code == 422
    assert hot.json()["errors"][0]["field"] == "temperature"
    future = client.post(
        "/api/v1/me/declarations/travel",
        json={"place": "310000", "from_date": "2026-03-01", "to_date": "2026-03-09"},
        headers=_auth(token),
    )
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "to_date"
    assert client.get("/api/v1/me/declarations", headers=_auth(token)).json() == []
