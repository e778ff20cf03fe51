"""Channels: partner apps and the city website. Registration, OAuth2 client credentials, and
rotating a channel's secrets."""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from healthcode.identity.assertions import algorithm_for
from healthcode.identity.model import AuthSession, Channel
from healthcode.identity.passwords import new_token, token_hash
from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, Problem
from healthcode.kernel.text import TextKind, check_secret, clean_text, text_problem
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.authz import require

CHANNEL_KINDS = ("app", "website")
ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
_NAME = re.compile(r"[a-z][a-z0-9_-]{1,63}")


@dataclass(frozen=True)
class NewChannel:
    """A registered channel with its secrets, shown once and never again."""

    id: str
    name: str
    kind: str
    client_secret: str
    webhook_secret: str
    webhook_url: str


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 - the OAuth2 token type, not a secret


def _validate(name: str, kind: str, public_key_pem: str, webhook_url: str) -> None:
    problems: list[Problem] = []
    for field, value, text_kind in (
        ("public_key_pem", public_key_pem, TextKind.TEXT),
        ("webhook_url", webhook_url, TextKind.LINE),
    ):
        problem = text_problem(value, text_kind)
        if problem is not None:
            raise InvalidInput.one(field, problem)
    if not _NAME.fullmatch(name):
        problems.append(Problem("name", "must be 2-64 lower-case letters, digits, _ or -"))
    if kind not in CHANNEL_KINDS:
        problems.append(Problem("kind", f"must be one of {', '.join(CHANNEL_KINDS)}"))
    try:
        algorithm_for(public_key_pem)
    except InvalidInput as refused:
        problems.extend(refused.problems)
    parts = urlsplit(webhook_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append(Problem("webhook_url", "must be an http(s) URL"))
    if problems:
        raise InvalidInput(problems)


def new_channel(
    uow: IdentityUnitOfWork,
    *,
    clock: Clock,
    name: str,
    public_key_pem: str,
    webhook_url: str,
    kind: str,
) -> NewChannel:
    """Register a channel inside the caller's transaction."""
    _validate(name, kind, public_key_pem, webhook_url)
    if uow.channels.by_name(name) is not None:
        raise Conflict("name", "a channel of this name is already registered")
    client_secret, webhook_secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    channel = Channel(
        id=f"{name}-{secrets.token_hex(6)}",
        name=name,
        kind=kind,
        public_key_pem=public_key_pem.strip() + "\n",
        client_secret_hash=token_hash(client_secret),
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        created_at=clock.now(),
    )
    uow.channels.add(channel)
    return NewChannel(
        id=channel.id,
        name=name,
        kind=kind,
        client_secret=client_secret,
        webhook_secret=webhook_secret,
        webhook_url=webhook_url,
    )


def add_channel(
    *,
    uow: IdentityUnitOfWork,
    clock: Clock,
    principal: Principal | None,
    name: str,
    public_key_pem: str,
    webhook_url: str,
    kind: str = "app",
) -> NewChannel:
    """Register a channel: its secrets are in the answer, once. ``principal`` None is the
    operator at the console (the CLI)."""
    if principal is not None:
        require(principal, Action.MANAGE_CHANNELS)
    with uow:
        created = new_channel(
            uow,
            clock=clock,
            name=name,
            public_key_pem=public_key_pem,
            webhook_url=webhook_url,
            kind=kind,
        )
        uow.commit()
    return created


def list_channels(*, uow: IdentityUnitOfWork, principal: Principal | None = None) -> list[Channel]:
    """The registered channels by name (an admin's, or the operator's at the console when
    ``principal`` is None); the caller shows no secret, only when they were last rotated."""
    if principal is not None:
        require(principal, Action.MANAGE_CHANNELS)
    with uow:
        return uow.channels.all()


@dataclass(frozen=True)
class RotatedSecrets:
    """A channel's new secrets, shown once and never again, and how many of its access
    tokens stopped working."""

    client_id: str
    client_secret: str
    webhook_secret: str
    rotated_at: datetime
    tokens_revoked: int


def rotate_channel_secrets(
    *, uow: IdentityUnitOfWork, clock: Clock, principal: Principal, client_id: str
) -> RotatedSecrets:
    """New client and webhook secrets for a channel (admins): the old client secret stops
    at once, so do the access tokens issued with it, and webhooks are signed with the new
    webhook secret from the next delivery on."""
    require(principal, Action.MANAGE_CHANNELS)
    client_id = clean_text(client_id, field="client_id", kind=TextKind.IDENTIFIER)
    now = clock.now()
    client_secret, webhook_secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with uow:
        if uow.channels.get(client_id) is None:
            raise NotFound("channel", client_id)
        uow.channels.rotate_secrets(
            client_id,
            client_secret_hash=token_hash(client_secret),
            webhook_secret=webhook_secret,
            at=now,
        )
        revoked = uow.sessions.revoke_all(kind="channel", principal_id=client_id, at=now)
        uow.commit()
    return RotatedSecrets(client_id, client_secret, webhook_secret, now, revoked)


def issue_channel_token(
    *, uow: IdentityUnitOfWork, clock: Clock, client_id: str, client_secret: str
) -> IssuedToken:
    """OAuth2 client credentials: a bearer access token for the channel's API calls."""
    client_id = clean_text(client_id, field="client_id", kind=TextKind.IDENTIFIER)
    check_secret(client_secret, field="client_secret")
    now = clock.now()
    with uow:
        channel = uow.channels.get(client_id)
        expected = channel.client_secret_hash if channel is not None else "0" * 64
        matches = hmac.compare_digest(expected, token_hash(client_secret))
        if channel is None or not channel.active or not matches:
            raise NotAuthenticated("invalid_client")
        token = new_token()
        uow.sessions.add(
            AuthSession(
                token_hash=token_hash(token),
                kind="channel",
                principal_id=channel.id,
                created_at=now,
                expires_at=now + ACCESS_TOKEN_LIFETIME,
            )
        )
        uow.commit()
    return IssuedToken(access_token=token, expires_in=int(ACCESS_TOKEN_LIFETIME.total_seconds()))
