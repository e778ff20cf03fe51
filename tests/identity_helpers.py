"""Actors for tests: channels with keys and signed assertions, website citizens, officials with
TOTP — at the service level and through HTTP."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pyotp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi.testclient import TestClient

from factories import register, registration
from healthcode.container import Container
from healthcode.identity.assertions import service_audience
from healthcode.identity.channels import add_channel
from healthcode.identity.model import IdentityState
from healthcode.identity.officials import (
    OfficialAccount,
    account_problems,
    official_principal,
    open_account_in,
)
from healthcode.identity.passwords import hash_password
from healthcode.identity.registration import register_through_channel
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal
from healthcode.oversight.model import Proposal

PASSWORD = "correct horse battery"


def public_pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


@dataclass
class ChannelKit:
    id: str
    name: str
    client_secret: str
    webhook_secret: str
    key: Ed25519PrivateKey

    def assertion(
        self,
        *,
        user_id: str,
        now: datetime,
        face_checked_at: datetime | None = None,
        lifetime: timedelta = timedelta(minutes=5),
        audience: str = service_audience("330100"),
        key: Ed25519PrivateKey | None = None,
        **overrides: Any,
    ) -> str:
        claims: dict[str, Any] = {
            "iss": self.id,
            "aud": audience,
            "sub": user_id,
            "iat": int(now.timestamp()),
            "exp": int((now + lifetime).timestamp()),
            "jti": secrets.token_hex(8),
        }
        if face_checked_at is not None:
            claims["face_checked_at"] = int(face_checked_at.timestamp())
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, key or self.key, algorithm="EdDSA")


def add_test_channel(
    container: Container, name: str = "alipay", webhook_url: str = "http://127.0.0.1:9/hook"
) -> ChannelKit:
    key = Ed25519PrivateKey.generate()
    created = add_channel(
        uow=container.uow(),
        clock=container.clock,
        principal=None,
        name=name,
        public_key_pem=public_pem(key),
        webhook_url=webhook_url,
    )
    return ChannelKit(created.id, name, created.client_secret, created.webhook_secret, key)


def bind_to_channel(container: Container, kit: ChannelKit, subject: str, user_id: str) -> None:
    """The person is bound to the channel as ``user_id``: told of their colour changes there."""
    with container.uow() as uow:
        uow.channels.bind(
            channel_id=kit.id,
            channel_user_id=user_id,
            subject=subject,
            bound_at=container.clock.now(),
        )
        uow.commit()


def register_via_channel(
    container: Container,
    kit: ChannelKit,
    *,
    user_id: str = "user-1",
    face_checked_at: datetime | None = None,
    **overrides: Any,
) -> str:
    now = container.clock.now()
    return register_through_channel(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        channel_id=kit.id,
        assertion=kit.assertion(user_id=user_id, now=now, face_checked_at=face_checked_at),
        person=register(**overrides),
    ).subject


def totp_secret(uri: str) -> str:
    return parse_qs(urlsplit(uri).query)["secret"][0]


def totp_code(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


@dataclass
class OfficialKit:
    username: str
    role: str
    secret: str


@cache
def _password_hash() -> str:
    """The test password's hash, computed once (argon2id is slow on purpose)."""
    return hash_password(PASSWORD)


def add_test_official(
    container: Container,
    username: str,
    role: str = "official",
    jurisdiction: str = "330100",
    district: str | None = None,
    sponsor: str | None = None,
) -> OfficialKit:
    account = OfficialAccount(
        username=username,
        role=role,
        jurisdiction=jurisdiction,
        district=district,
        password=PASSWORD,
    )
    # some tests make an official of another jurisdiction, which the console refuses in an
    # instance serving 330100, to show the access rules refuse them even so; and many tests
    # need more accounts than the console's bootstrap allows: a scene is set directly
    assert not account_problems(account, serving=jurisdiction, admin=None)
    uow = container.uow()
    with uow:
        created = open_account_in(
            uow, container.clock, account, password_hash=_password_hash(), sponsor=sponsor
        )
        uow.commit()
    return OfficialKit(username, role, totp_secret(created.totp_uri))


def principal(container: Container, username: str) -> Principal:
    return official_principal(uow=container.uow(), username=username)


def propose_as(
    container: Container, username: str, *, action: str, payload: dict[str, Any], reason: str
) -> Proposal:
    """Official ``username`` proposes ``action`` with ``payload`` (it waits for a second)."""
    return proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=principal(container, username),
        action=action,
        payload=payload,
        reason=reason,
    )


# --- through HTTP ---------------------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def channel_token(client: TestClient, kit: ChannelKit) -> str:
    response = client.post(
        "/api/v1/oauth/token",
        content=f"grant_type=client_credentials&client_id={kit.id}&client_secret={kit.client_secret}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def as_citizen_of(
    token: str, kit: ChannelKit, *, user_id: str, now: datetime, **claims: Any
) -> dict[str, str]:
    """Headers for one request by a channel for its user (a fresh assertion each time)."""
    return {
        **bearer(token),
        "X-Identity-Assertion": kit.assertion(user_id=user_id, now=now, **claims),
    }


def website_citizen(
    client: TestClient, *, verified: bool = True, **overrides: Any
) -> tuple[str, dict[str, str]]:
    """Sign up on the website (both steps, the code read from the SMS file) and log in:
    (subject, headers). ``verified``: the identity is then marked verified directly, as a
    channel's confirmation would (tests/identity/test_identity_claims.py goes through one),
    so that the citizen gets a code."""
    from sign_up_helpers import http_sign_up  # it builds on this module's actors

    container: Container = client.app.state.container  # type: ignore[attr-defined]
    subject = http_sign_up(client, container, **overrides)
    if verified:
        with container.uow() as uow:
            uow.persons.set_identity(subject, IdentityState.VERIFIED)
            uow.commit()
    phone = registration(**overrides)["phone"]
    login = client.post("/api/v1/website/login", json={"phone": phone, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return subject, bearer(login.json()["token"])


def official_headers(client: TestClient, kit: OfficialKit, now: datetime) -> dict[str, str]:
    response = client.post(
        "/api/v1/officials/login",
        json={"username": kit.username, "password": PASSWORD, "totp": totp_code(kit.secret, now)},
    )
    assert response.status_code == 200, response.text
    return bearer(response.json()["token"])
