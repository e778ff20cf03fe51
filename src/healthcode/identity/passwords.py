"""Passwords (argon2id), bearer tokens (random, stored hashed) and login throttling."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.kernel.errors import InvalidInput, TooManyAttempts
from healthcode.kernel.text import check_secret

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256

# At most MAX_FAILURES failed logins per identifier within FAILURE_WINDOW; then LOCKOUT.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def check_password_rules(password: str, *, field: str = "password") -> None:
    check_secret(password, field=field)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.one(field, f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput.one(field, f"must be at most {MAX_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash (unknown account) check a dummy so it takes as long."""
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A bearer token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Tokens are stored as their SHA-256 (they are random, so no salt or slow hash is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def reserve_attempt(uow: IdentityUnitOfWork, identifier: str, now: datetime) -> None:
    """Count a login attempt before its password is checked, or refuse it while locked out.

    The attempt counts as a failure from the start, in one atomic statement, and the caller
    commits it before checking anything: parallel attempts each take their own place in the
    count, so no more than ``MAX_FAILURES`` passwords are ever checked per window, however
    many arrive at once. The attempt that reaches the limit locks the identifier; a success
    clears the count (``record_success``)."""
    locked_until = uow.throttles.reserve(
        identifier,
        now=now,
        window_from=now - FAILURE_WINDOW,
        limit=MAX_FAILURES,
        lock_until=now + LOCKOUT,
    )
    if locked_until is not None:
        raise TooManyAttempts(max(1, int((locked_until - now).total_seconds())))


def record_success(uow: IdentityUnitOfWork, identifier: str) -> None:
    uow.throttles.clear(identifier)
