"""How each actor logs in over HTTP, and the credentials that are refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from factories import registration, resident_id
from healthcode.container import Container
from healthcode.identity.passwords import MAX_FAILURES
from healthcode.kernel.clock import FixedClock
from identity_helpers import (
    PASSWORD,
    ChannelKit,
    OfficialKit,
    add_test_channel,
    add_test_official,
    as_citizen_of,
    bearer,
    channel_token,
    official_headers,
    public_pem,
    totp_code,
    totp_secret,
    website_citizen,
)


def _register(
    client: TestClient, kit: ChannelKit, token: str, clock: FixedClock, user_id: str = "u-1"
) -> dict[str, Any]:
    body = {
        **registration(),
        "assertion": kit.assertion(user_id=user_id, now=clock.now(), face_checked_at=clock.now()),
    }
    response = client.post("/api/v1/registrations", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_channel_registers_then_acts_for_its_user(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """A channel gets a token, registers its user with an assertion, then acts for them."""
    kit = add_test_channel(container)
    token = channel_token(client, kit)
    registered = _register(client, kit, token, clock)
    assert "token" not in registered and registered["profile"]["name"] == "张*丰"
    me = client.get("/api/v1/me", headers=as_citizen_of(token, kit, user_id="u-1", now=clock.now()))
    assert me.status_code == 200 and me.json()["subject"] == registered["subject"]
    alone = client.get("/api/v1/me", headers=bearer(token))
    assert alone.status_code == 403  # the channel itself is not the citizen


def test_client_credentials_are_checked(client: TestClient, container: Container) -> None:
    """A wrong client secret or grant type gets no token."""
    kit = add_test_channel(container)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    wrong = client.post(
        "/api/v1/oauth/token",
        content=f"grant_type=client_credentials&client_id={kit.id}&client_secret=nope",
        headers=form,
    )
    assert wrong.status_code == 401
    grant = client.post("/api/v1/oauth/token", content="grant_type=password", headers=form)
    assert grant.status_code == 422


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lifetime": timedelta(minutes=-2)}, "expired"),
        ({"audience": "urn:healthcode:310000"}, "audience"),
        ({"iss": "someone-else"}, "not issued by this channel"),
        ({"key": Ed25519PrivateKey.generate()}, "signature"),
        ({"lifetime": timedelta(hours=2)}, "longer than"),
        ({"sub": "never-registered"}, "not registered"),
        ({"jti": None}, "jti"),
    ],
)
def test_bad_assertions_are_refused(
    client: TestClient,
    container: Container,
    clock: FixedClock,
    change: dict[str, Any],
    message: str,
) -> None:
    """A channel assertion that breaks any rule is a 401 naming the rule it breaks."""
    kit = add_test_channel(container)
    token = channel_token(client, kit)
    _register(client, kit, token, clock)
    change = dict(change)
    claims = {"user_id": change.pop("sub", "u-1"), "now": clock.now(), **change}
    headers = {**bearer(token), "X-Identity-Assertion": kit.assertion(**claims)}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert message in response.json()["detail"]


def test_tampered_and_replayed_assertions_are_refused(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """An assertion whose payload was altered, or that was already used, is refused."""
    kit = add_test_channel(container)
    token = channel_token(client, kit)
    _register(client, kit, token, clock)
    assertion = kit.assertion(user_id="u-1", now=clock.now())
    header, payload, signature = assertion.split(".")
    tampered = ".".join(
        [header, payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1], signature]
    )
    response = client.get("/api/v1/me", headers={**bearer(token), "X-Identity-Assertion": tampered})
    assert response.status_code == 401
    first = client.get("/api/v1/me", headers={**bearer(token), "X-Identity-Assertion": assertion})
    again = client.get("/api/v1/me", headers={**bearer(token), "X-Identity-Assertion": assertion})
    assert (first.status_code, again.status_code) == (200, 401)
    assert "replay" in again.json()["detail"]


def test_another_channels_assertion_is_refused(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """A channel cannot present an assertion another channel signed for its own user."""
    alipay, wechat = add_test_channel(container, "alipay"), add_test_channel(container, "wechat")
    _register(client, alipay, channel_token(client, alipay), clock)
    forged = alipay.assertion(user_id="u-1", now=clock.now())
    response = client.get(
        "/api/v1/me",
        headers={**bearer(channel_token(client, wechat)), "X-Identity-Assertion": forged},
    )
    assert response.status_code == 401


def test_tokens_expire(client: TestClient, container: Container, clock: FixedClock) -> None:
    """Channel tokens, website sessions and official sessions stop working when they expire."""
    kit = add_test_channel(container)
    token = channel_token(client, kit)
    _subject, citizen = website_citizen(client, id_number=resident_id(3), phone="13900000003")
    official = official_headers(client, add_test_official(container, "wang"), clock.now())
    clock.advance(timedelta(hours=13))
    for headers, path in [
        (bearer(token), "/api/v1/channels"),
        (citizen, "/api/v1/me"),
        (official, "/api/v1/proposals"),
    ]:
        response = client.get(path, headers=headers)
        assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_website_login_locks_after_repeated_failures(client: TestClient, clock: FixedClock) -> None:
    """Wrong passwords lock the phone number for a while (429); the right one then waits."""
    website_citizen(client)
    phone = registration()["phone"]
    for _ in range(MAX_FAILURES):
        wrong = client.post("/api/v1/website/login", json={"phone": phone, "password": "x" * 12})
        assert wrong.status_code == 401
    locked = client.post("/api/v1/website/login", json={"phone": phone, "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    clock.advance(timedelta(minutes=16))
    again = client.post("/api/v1/website/login", json={"phone": phone, "password": PASSWORD})
    assert again.status_code == 200


def test_unknown_phone_gets_the_same_answer(client: TestClient) -> None:
    """An unknown phone number is refused exactly like a wrong password, and locks alike."""
    website_citizen(client)
    known = client.post(
        "/api/v1/website/login", json={"phone": registration()["phone"], "password": "x" * 12}
    )
    unknown = client.post(
        "/api/v1/website/login", json={"phone": "13700000000", "password": "x" * 12}
    )
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    for _ in range(MAX_FAILURES - 1):
        client.post("/api/v1/website/login", json={"phone": "13700000000", "password": "x" * 12})
    locked = client.post(
        "/api/v1/website/login", json={"phone": "13700000000", "password": "x" * 12}
    )
    assert locked.status_code == 429


def test_official_login_needs_totp_once(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """Password alone is not enough; a TOTP code is accepted once (a replay is refused)."""
    kit = add_test_official(container, "li", "supervisor")
    code = totp_code(kit.secret, clock.now())
    login = {"username": "li", "password": PASSWORD}
    no_code = client.post("/api/v1/officials/login", json={**login, "totp": "000000"})
    assert no_code.status_code == 401
    first = client.post("/api/v1/officials/login", json={**login, "totp": code})
    assert first.status_code == 200 and first.json()["role"] == "supervisor"
    replay = client.post("/api/v1/officials/login", json={**login, "totp": code})
    assert replay.status_code == 401
    clock.advance(timedelta(seconds=30))
    later = client.post(
        "/api/v1/officials/login", json={**login, "totp": totp_code(kit.secret, clock.now())}
    )
    assert later.status_code == 200


def test_official_login_refuses_a_totp_code_of_other_characters(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """A TOTP code that is not ASCII digits (fullwidth digits, letters) is a wrong login, 401."""
    kit = add_test_official(container, "li", "supervisor")
    code = totp_code(kit.secret, clock.now())
    login = {"username": "li", "password": PASSWORD}
    for other in ("１２３４５６", "é23456", "\u0663\u0663\u0663\u0663\u0663\u0663"):
        refused = client.post("/api/v1/officials/login", json={**login, "totp": other})
        assert refused.status_code == 401, other
    # the fullwidth spelling of the right code is not the code
    wide = code.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    assert client.post("/api/v1/officials/login", json={**login, "totp": wide}).status_code == 401


def test_official_login_locks_after_repeated_failures(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """Repeated wrong passwords lock the account even for the right password and code."""
    kit = add_test_official(container, "zhao")
    for _ in range(MAX_FAILURES):
        client.post(
            "/api/v1/officials/login", json={"username": "zhao", "password": "y" * 12, "totp": "1"}
        )
    locked = client.post(
        "/api/v1/officials/login",
        json={"username": "zhao", "password": PASSWORD, "totp": totp_code(kit.secret, clock.now())},
    )
    assert locked.status_code == 429


def test_logout_ends_the_session(client: TestClient) -> None:
    """After logging out, the session token is refused."""
    _subject, headers = website_citizen(client)
    assert client.post("/api/v1/sessions/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_admin_creates_officials_and_channels(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """An admin proposes an official, a second approves (TOTP URI once); a channel directly."""
    admin = official_headers(client, add_test_official(container, "root", "admin"), clock.now())
    second = official_headers(client, add_test_official(container, "ops", "admin"), clock.now())
    proposed = client.post(
        "/api/v1/officials",
        json={
            "username": "qian",
            "role": "official",
            "jurisdiction": "330100",
            "password": PASSWORD,
            "reason": "new contact tracer",
        },
        headers=admin,
    )
    assert proposed.status_code == 202, proposed.text
    assert proposed.json()["status"] == "pending" and "sealed" not in proposed.json()["payload"]
    url = f"/api/v1/proposals/{proposed.json()['id']}/approve"
    assert client.post(url, json={}, headers=admin).status_code == 403  # not by the proposer
    approved = client.post(url, json={}, headers=second)
    assert approved.status_code == 200, approved.text
    uri = approved.json()["result"]["totp_uri"]
    assert uri.startswith("otpauth://")
    qian = OfficialKit("qian", "official", totp_secret(uri))
    assert official_headers(client, qian, clock.now())
    listed = client.get("/api/v1/officials", headers=second).json()
    assert {(o["username"], o["sponsored_by"]) for o in listed} == {
        ("root", None),
        ("ops", None),
        ("qian", "root"),
    }
    key = Ed25519PrivateKey.generate()
    channel = client.post(
        "/api/v1/channels",
        json={
            "name": "dingtalk",
            "public_key_pem": public_pem(key),
            "webhook_url": "https://x.example/h",
        },
        headers=admin,
    )
    assert channel.status_code == 201 and channel.json()["client_secret"]
    listed = client.get("/api/v1/channels", headers=admin).json()
    assert [c["name"] for c in listed] == ["dingtalk"] and "client_secret" not in listed[0]


@pytest.mark.parametrize(
    ("account", "field"),
    [
        ({"jurisdiction": "310000"}, "jurisdiction"),  # Shanghai's, in Hangzhou's instance
        ({"jurisdiction": "33010"}, "jurisdiction"),
        ({"district": "garbage!"}, "district"),
        ({"district": "310101"}, "district"),  # a Shanghai district
        ({"district": "330100"}, "district"),  # the jurisdiction itself
    ],
)
def test_admin_cannot_create_officials_outside_the_instance(
    client: TestClient, container: Container, clock: FixedClock, account: dict[str, str], field: str
) -> None:
    """Another jurisdiction's official, or a district no region of it, is refused by name."""
    admin = official_headers(client, add_test_official(container, "root", "admin"), clock.now())
    body = {
        "username": "qian",
        "role": "official",
        "jurisdiction": "330100",
        "password": PASSWORD,
        "reason": "new contact tracer",
    }
    refused = client.post("/api/v1/officials", json={**body, **account}, headers=admin)
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == [field]
    kept = client.post("/api/v1/officials", json={**body, "district": "330106"}, headers=admin)
    assert kept.status_code == 202, kept.text
