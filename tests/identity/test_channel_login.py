"""A channel opens the website for its user: its signed, single-use assertion becomes a
website session for the person it is bound to (and is in their access log); expired,
replayed, unknown-channel, unbound and malformed assertions are refused, naming why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from healthcode.container import Container
from healthcode.identity.channel_login import UNBOUND, WHAT, log_in_from_channel
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import NotAuthenticated
from identity_helpers import ChannelKit, add_test_channel, bearer, register_via_channel

LOGIN = "/api/v1/website/login/channel"


def test_an_assertion_opens_a_session_for_the_bound_person(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """The assertion gives a citizen session for the bound person; the login is in their log."""
    kit = add_test_channel(container)
    subject = register_via_channel(container, kit, user_id="u-1")
    assertion = kit.assertion(user_id="u-1", now=clock.now())
    answer = client.post(LOGIN, json={"assertion": assertion})
    assert answer.status_code == 200, answer.text
    assert answer.json()["role"] == "citizen"
    session = bearer(answer.json()["token"])
    me = client.get("/api/v1/me", headers=session)
    assert me.status_code == 200 and me.json()["subject"] == subject
    log = client.get("/api/v1/me/access-log", headers=session).json()
    logins = [r for r in log if r["what"] == WHAT]
    assert len(logins) == 1
    assert logins[0]["actor"] == f"channel:{kit.name}" and logins[0]["purpose"] == "channel_service"


def test_a_used_assertion_is_refused_as_a_replay(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """The same assertion a second time is refused: each is accepted once."""
    kit = add_test_channel(container)
    register_via_channel(container, kit, user_id="u-1")
    assertion = kit.assertion(user_id="u-1", now=clock.now())
    assert client.post(LOGIN, json={"assertion": assertion}).status_code == 200
    again = client.post(LOGIN, json={"assertion": assertion})
    assert again.status_code == 401 and "replay" in again.json()["detail"]


def test_an_expired_assertion_is_refused(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """An assertion past its expiry (beyond the allowed skew) is refused as expired."""
    kit = add_test_channel(container)
    register_via_channel(container, kit, user_id="u-1")
    old = kit.assertion(user_id="u-1", now=clock.now() - timedelta(minutes=20))
    answer = client.post(LOGIN, json={"assertion": old})
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]


def test_an_unknown_channel_is_refused(client: TestClient, clock: FixedClock) -> None:
    """An assertion naming a channel that is not registered is refused."""
    stranger = ChannelKit("no-such-channel", "stranger", "", "", Ed25519PrivateKey.generate())
    assertion = stranger.assertion(user_id="u", now=clock.now())
    answer = client.post(LOGIN, json={"assertion": assertion})
    assert answer.status_code == 401 and answer.json()["detail"] == "unknown channel"


def test_an_unbound_user_is_refused_and_the_assertion_used_up(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """A channel user bound to no one is refused; the assertion cannot be tried again."""
    kit = add_test_channel(container)
    assertion = kit.assertion(user_id="nobody", now=clock.now())
    answer = client.post(LOGIN, json={"assertion": assertion})
    assert answer.status_code == 401 and answer.json()["detail"] == UNBOUND
    again = client.post(LOGIN, json={"assertion": assertion})
    assert again.status_code == 401 and "replay" in again.json()["detail"]


def test_another_channels_signature_is_refused(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """An assertion naming a channel but signed with another key is refused."""
    kit = add_test_channel(container)
    register_via_channel(container, kit, user_id="u-1")
    forged = kit.assertion(user_id="u-1", now=clock.now(), key=Ed25519PrivateKey.generate())
    answer = client.post(LOGIN, json={"assertion": forged})
    assert answer.status_code == 401 and "signature" in answer.json()["detail"]


@pytest.mark.parametrize("assertion", ["not-a-jwt", "a.b.c"])
def test_a_malformed_assertion_is_refused_by_the_use_case(
    container: Container, assertion: str
) -> None:
    """Text that is no JWT is refused before any channel is looked up."""
    with pytest.raises(NotAuthenticated, match="assertion is not valid"):
        log_in_from_channel(
            uow=container.uow(),
            clock=container.clock,
            jurisdiction=container.settings.jurisdiction,
            assertion=assertion,
        )
