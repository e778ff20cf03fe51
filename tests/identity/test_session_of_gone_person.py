"""A citizen's bearer token is checked with its person in one read: a session whose person is
gone is refused, naming why, and a live one is accepted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from healthcode.container import Container
from healthcode.identity.authn import authenticate
from healthcode.identity.model import AuthSession
from healthcode.identity.passwords import token_hash
from healthcode.kernel.errors import NotAuthenticated
from tracing_helpers import resident


def _session(container: Container, token: str, principal_id: str) -> None:
    now = container.clock.now()
    with container.uow() as uow:
        uow.sessions.add(
            AuthSession(
                token_hash=token_hash(token),
                kind="citizen",
                principal_id=principal_id,
                created_at=now,
                expires_at=now + timedelta(hours=1),
            )
        )
        uow.commit()


def test_a_session_of_a_person_no_longer_there_is_refused(container: Container) -> None:
    """A citizen session whose person does not exist is refused: the account no longer exists."""
    _session(container, "token-of-nobody", "0" * 32)
    with pytest.raises(NotAuthenticated, match="no longer exists"):
        authenticate(
            uow=container.uow(),
            clock=container.clock,
            token="token-of-nobody",
            jurisdiction="330100",
        )


def test_a_session_of_a_registered_person_is_their_principal(container: Container) -> None:
    """A citizen session of a registered person authenticates as that person."""
    subject = resident(container, 1)
    _session(container, "token-of-someone", subject)
    principal = authenticate(
        uow=container.uow(), clock=container.clock, token="token-of-someone", jurisdiction="330100"
    )
    assert principal.id == subject
