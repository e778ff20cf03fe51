"""A partner app (channel) opens the city website for one of its users already signed in: its
signed, single-use assertion for that user becomes a website session for the person the user
is bound to, as a login with the password would give (``identity.website``).

The assertion is checked as any other (``identity.assertions``: signature by the channel's
key, audience, times, and its ``jti`` used up once, in the same transaction); the channel is
the one named by its ``iss``. Refused (``NotAuthenticated``, naming why): an unknown or disabled
channel, a bad or expired assertion, a replayed one, a channel user bound to no one (the
assertion is used up all the same), a person no longer here. The login is written to the
person's access log (actor ``channel:<name>``, purpose ``channel_service``), so the citizen sees
which app opened a session for them; a face check newer than the last recorded is recorded."""

from __future__ import annotations

import jwt

from healthcode.identity.assertions import (
    MAX_CLAIM_TEXT,
    note_face_check,
    verify_channel_assertion,
)
from healthcode.identity.model import AuthSession
from healthcode.identity.passwords import new_token, token_hash
from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.identity.website import CITIZEN_SESSION_LIFETIME, WEBSITE_CHANNEL, IssuedSession
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import NotAuthenticated
from healthcode.kernel.text import is_clean_line
from healthcode.oversight.access import Principal, Purpose, Role
from healthcode.oversight.audit import record_access

WHAT = "website session opened through the channel (login)"
UNBOUND = "the channel user is not registered"


def _issuer(assertion: str) -> str:
    """The ``iss`` the assertion names (its signature is checked afterwards, with that
    channel's key)."""
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise NotAuthenticated(f"assertion is not valid: {error}") from None
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not 0 < len(issuer) <= MAX_CLAIM_TEXT:
        raise NotAuthenticated("unknown channel")
    if not is_clean_line(issuer):
        raise NotAuthenticated("unknown channel")
    return issuer


def log_in_from_channel(
    *, uow: IdentityUnitOfWork, clock: Clock, jurisdiction: str, assertion: str
) -> IssuedSession:
    """A website session for the person the channel's assertion names; ``NotAuthenticated``
    saying why not. One transaction: the assertion used up, the session, the access record."""
    channel_id = _issuer(assertion)
    now = clock.now()
    with uow:
        channel, claims = verify_channel_assertion(
            uow, clock=clock, channel_id=channel_id, assertion=assertion, jurisdiction=jurisdiction
        )
        subject = uow.channels.subject_for(
            channel_id=channel.id, channel_user_id=claims.channel_user_id
        )
        if subject is None or uow.persons.jurisdiction_of(subject) is None:
            uow.commit()  # the assertion is used up all the same
            raise NotAuthenticated(UNBOUND)
        note_face_check(uow, clock=clock, subject=subject, claims=claims)
        token = new_token()
        expires_at = now + CITIZEN_SESSION_LIFETIME
        uow.sessions.add(
            AuthSession(
                token_hash=token_hash(token),
                kind="citizen",
                principal_id=subject,
                created_at=now,
                expires_at=expires_at,
            )
        )
        record_access(
            uow,
            clock=clock,
            principal=Principal(role=Role.CHANNEL, id=channel.id, name=channel.name),
            subject=subject,
            what=WHAT,
            purpose=Purpose.CHANNEL_SERVICE,
        )
        uow.commit()
    principal = Principal(role=Role.CITIZEN, id=subject, channel=WEBSITE_CHANNEL)
    return IssuedSession(token=token, expires_at=expires_at, principal=principal)
