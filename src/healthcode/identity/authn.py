"""Who is calling: a bearer token (website or official session, or a channel's OAuth2 access
token), and for a channel acting for one of its users, a signed assertion for that user."""

from __future__ import annotations

from datetime import datetime

from healthcode.identity.assertions import note_face_check, service_audience, verify_assertion
from healthcode.identity.model import AuthSession
from healthcode.identity.officials import principal_of
from healthcode.identity.passwords import token_hash
from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.identity.website import WEBSITE_CHANNEL
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import NotAuthenticated
from healthcode.oversight.access import Principal, Role


def authenticate(
    *,
    uow: IdentityUnitOfWork,
    clock: Clock,
    token: str,
    jurisdiction: str,
    assertion: str | None = None,
) -> Principal:
    """The principal behind a bearer token (and an assertion), or ``NotAuthenticated``.

    With a channel's token and an assertion, the principal is the citizen the channel's user
    is bound to; a face check newer than the last one recorded is recorded in the same
    transaction (clearing a re-verification notice at once)."""
    now = clock.now()
    with uow:
        session = _live_session(uow, token, now)
        if assertion is not None and session.kind != "channel":
            raise NotAuthenticated("only a channel may present an identity assertion")
        if session.kind == "citizen":
            if not session.person_exists:
                raise NotAuthenticated("the account no longer exists")
            return Principal(role=Role.CITIZEN, id=session.principal_id, channel=WEBSITE_CHANNEL)
        if session.kind == "official":
            official = uow.officials.get(session.principal_id)
            if official is None or not official.active:
                raise NotAuthenticated("the account is disabled")
            return principal_of(official)
        channel = uow.channels.get(session.principal_id)
        if channel is None or not channel.active:
            raise NotAuthenticated("the channel is disabled")
        if assertion is None:
            return Principal(role=Role.CHANNEL, id=channel.id, name=channel.name)
        claims = verify_assertion(
            uow,
            clock=clock,
            channel=channel,
            assertion=assertion,
            audience=service_audience(jurisdiction),
        )
        subject = uow.channels.subject_for(
            channel_id=channel.id, channel_user_id=claims.channel_user_id
        )
        if subject is None:
            uow.commit()  # the assertion is used up all the same
            raise NotAuthenticated("the channel user is not registered")
        note_face_check(uow, clock=clock, subject=subject, claims=claims)
        uow.commit()
    return Principal(role=Role.CITIZEN, id=subject, channel=channel.id)


def _live_session(uow: IdentityUnitOfWork, token: str, now: datetime) -> AuthSession:
    """The session of a bearer token, or ``NotAuthenticated`` saying why it is not one."""
    session = uow.sessions.get(token_hash(token))
    if session is None:
        raise NotAuthenticated("the bearer token is not valid")
    if session.revoked_at is not None:
        raise NotAuthenticated("the bearer token was revoked")
    if session.expires_at <= now:
        raise NotAuthenticated("the bearer token has expired")
    return session
