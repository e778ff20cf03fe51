"""Identity inputs under the text and time rules: bad characters in names, logins, client
credentials and assertions are refused cleanly (never a 500), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import register, registration
from healthcode.container import Container
from healthcode.identity.masks import mask_name
from healthcode.identity.registration import register_person, validate_registration
from healthcode.kernel.errors import InvalidInput
from identity_helpers import (
    PASSWORD,
    add_test_channel,
    add_test_official,
    channel_token,
    website_citizen,
)

JSON = {"Content-Type": "application/json"}


def post_raw(client: TestClient, url: str, body: dict[str, Any], **headers: str) -> Any:
    """POST ``body`` as JSON with non-ASCII escaped, so a lone surrogate travels as ``\\ud800``
    (as a careless or hostile client sends it)."""
    return client.post(url, content=json.dumps(body), headers={**JSON, **headers})


def _fields(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize("field", ["name", "address"])
def test_sign_up_with_a_lone_surrogate_is_a_422(client: TestClient, field: str) -> None:
    """A lone surrogate in a personal field is refused before it reaches the encryption."""
    body = {**registration(**{field: "张\ud800"}), "password": PASSWORD}
    assert field in _fields(post_raw(client, "/api/v1/website/sign-up", body))


@pytest.mark.parametrize("field", ["phone", "password"])
def test_website_login_with_a_surrogate_or_nul_is_a_422(client: TestClient, field: str) -> None:
    """A website login with a surrogate or NUL in phone or password is a 422, not a 500."""
    for bad in ("138\ud8001234", "138\x001234"):
        body = {"phone": "13812341234", "password": PASSWORD, field: bad}
        assert field in _fields(post_raw(client, "/api/v1/website/login", body))


@pytest.mark.parametrize("field", ["username", "password", "totp"])
def test_official_login_with_nul_or_surrogate_is_a_422(
    client: TestClient, container: Container, field: str
) -> None:
    """An official login with NUL (PostgreSQL refuses it) or a surrogate is a 422 naming it."""
    add_test_official(container, "wang")
    for bad in ("wa\x00ng", "wa\udc80ng"):
        body = {"username": "wang", "password": PASSWORD, "totp": "123456", field: bad}
        assert field in _fields(post_raw(client, "/api/v1/officials/login", body))


@pytest.mark.parametrize("where", ["form", "basic"])
def test_client_credentials_with_nul_are_a_422(
    client: TestClient, container: Container, where: str
) -> None:
    """A NUL in the OAuth client id, in the form or in HTTP Basic, is refused cleanly."""
    kit = add_test_channel(container)
    form = "grant_type=client_credentials"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if where == "form":
        form += f"&client_id={kit.id}%00&client_secret={kit.client_secret}"
    else:
        import base64

        pair = f"{kit.id}%00:{kit.client_secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    answer = client.post("/api/v1/oauth/token", content=form, headers=headers)
    assert _fields(answer) == ["client_id"]
    channel_token(client, kit)  # the channel itself still gets its token


@pytest.mark.parametrize(
    "name", ["张\x00三", "张三\n丰", "张三\r\n", "abc\u202edef", "\u2067张三\u2069", "张\u200f三"]
)
def test_names_with_nul_newline_or_bidi_control_are_refused(
    client: TestClient, container: Container, name: str
) -> None:
    """A name with NUL, a line break or a bidi control is refused through API and service."""
    body = {**registration(name=name), "password": PASSWORD}
    assert "name" in _fields(post_raw(client, "/api/v1/website/sign-up", body))
    with pytest.raises(InvalidInput) as refused:
        register_person(
            uow=container.uow(),
            clock=container.clock,
            jurisdiction="330100",
            person=register(name=name),
        )
    assert [p.field for p in refused.value.problems] == ["name"]


def test_a_decomposed_name_is_stored_composed(client: TestClient, container: Container) -> None:
    """A name typed in decomposed form is kept in NFC (seven characters, masked as such)."""
    valid = validate_registration(
        register(name="Jose\u0301 Li"), clock=container.clock, jurisdiction="330100"
    )
    assert valid.name == "José Li"
    _, headers = website_citizen(client, name="Jose\u0301 Li")
    assert client.get("/api/v1/me", headers=headers).json()["name"] == "J*****i"


def test_masks_never_carry_controls_or_bidi_controls() -> None:
    """A stored name with an override or NUL is masked without them (never renders reversed)."""
    assert mask_name("abc\u202edef") == "a****f"
    assert mask_name("张\x00三丰") == "张*丰"


def _assertion_answer(client: TestClient, container: Container, **claims: Any) -> tuple[int, str]:
    kit = add_test_channel(container)
    token = channel_token(client, kit)
    now = container.clock.now()
    assertion = kit.assertion(user_id="u-1", now=now, **claims)
    answer = client.get(
        "/api/v1/me",
        headers={"Authorization": f"Bearer {token}", "X-Identity-Assertion": assertion},
    )
    return answer.status_code, answer.text


@pytest.mark.parametrize("claim", ["iat", "exp"])
def test_assertion_times_out_of_range_are_refused(
    client: TestClient, container: Container, claim: str
) -> None:
    """An assertion with iat or exp of 1e300 is refused naming the claim, not a 500."""
    code, text = _assertion_answer(client, container, **{claim: 1e300})
    assert code == 401 and claim in text and "2000-01-01" in text


def test_an_assertion_expiring_before_it_is_issued_is_refused(
    client: TestClient, container: Container
) -> None:
    """exp before iat (even inside the clock skew) is refused."""
    now = container.clock.now()
    iat = int((now + timedelta(seconds=30)).timestamp())
    code, text = _assertion_answer(client, container, iat=iat, exp=iat - 20)
    assert code == 401 and "exp must be after its iat" in text


@pytest.mark.parametrize("claim", ["sub", "jti"])
def test_assertion_sub_and_jti_with_nul_are_refused(
    client: TestClient, container: Container, claim: str
) -> None:
    """A NUL in the assertion's sub or jti (both stored) is refused, not a 500."""
    code, text = _assertion_answer(client, container, **{claim: "x\x00y"})
    assert code == 401 and "sub and jti" in text
