"""The city website: citizens log in with phone and password (argon2id); signing up is
``identity.sign_up``.

Logins are throttled per phone number in the database (so across processes): after
``MAX_FAILURES`` failures in ``FAILURE_WINDOW`` the number is locked for ``LOCKOUT``. Unknown
numbers are throttled and answered exactly like known ones, and take as long (a dummy hash is
checked), so the answer never tells whether an account exists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from healthcode.identity.model import AuthSession
from healthcode.identity.passwords import (
    new_token,
    record_success,
    reserve_attempt,
    token_hash,
    verify_password,
)
from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.identity.validation import validate_phone
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotAuthenticated
from healthcode.kernel.text import TextKind, check_secret, clean_text
from healthcode.oversight.access import Principal, Role

WEBSITE_CHANNEL = "website"
CITIZEN_SESSION_LIFETIME = timedelta(hours=12)
LOGIN_REFUSED = "phone number or password is wrong"


@dataclass(frozen=True)
class IssuedSession:
    token: str
    expires_at: datetime
    principal: Principal


def log_in_citizen(
    *, uow: IdentityUnitOfWork, clock: Clock, phone: str, password: str
) -> IssuedSession:
    """A website session for phone + password; ``NotAuthenticated`` or ``TooManyAttempts``.

    Two short transactions around the password check: the first counts the attempt (and
    commits it, so parallel attempts see it) before any password is checked; the second,
    after a right password, clears the count and opens the session. No lock is held while
    the slow hash runs."""
    phone = clean_text(phone, field="phone", kind=TextKind.IDENTIFIER)
    check_secret(password, field="password")
    now = clock.now()
    try:
        identifier = f"citizen:{validate_phone(phone)}"
    except InvalidInput:
        identifier = f"citizen:{phone.strip()}"
    with uow:
        reserve_attempt(uow, identifier, now)
        account = uow.accounts.by_phone(identifier.removeprefix("citizen:"))
        uow.commit()  # the attempt counts before its password is checked
    ok = verify_password(None if account is None else account.password_hash, password)
    if account is None or not ok:
        raise NotAuthenticated(LOGIN_REFUSED)  # the attempt stays counted as a failure
    with uow:
        record_success(uow, identifier)
        token = new_token()
        expires_at = now + CITIZEN_SESSION_LIFETIME
        uow.sessions.add(
            AuthSession(
                token_hash=token_hash(token),
                kind="citizen",
                principal_id=account.subject,
                created_at=now,
                expires_at=expires_at,
            )
        )
        uow.commit()
    principal = Principal(role=Role.CITIZEN, id=account.subject, channel=WEBSITE_CHANNEL)
    return IssuedSession(token=token, expires_at=expires_at, principal=principal)


def log_out(*, uow: IdentityUnitOfWork, clock: Clock, token: str) -> None:
    """End a website or official session. A channel's access token is not ended by one of its
    users logging out (it serves all of them; it expires on its own)."""
    with uow:
        session = uow.sessions.get(token_hash(token))
        if session is not None and session.kind != "channel":
            uow.sessions.revoke(session.token_hash, at=clock.now())
            uow.commit()
