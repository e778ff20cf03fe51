"""Passwords (argon2id), bearer tokens (random, stored hashed) and login throttling."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from healthcode.identity.model import Throttle
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


def check_throttle(uow: IdentityUnitOfWork, identifier: str, now: datetime) -> None:
    """Refuse without checking anything while the identifier is locked out."""
    throttle = uow.throttles.get(identifier)
    if throttle is not None and throttle.locked_until is not None and now < throttle.locked_until:
        raise TooManyAttempts(max(1, int((throttle.locked_until - now).total_seconds())))


def record_failure(uow: IdentityUnitOfWork, identifier: str, now: datetime) -> None:
    """Count a failed attempt; lock the identifier out after too many in the window."""
    throttle = uow.throttles.get(identifier)
    if throttle is None or now - throttle.window_started > FAILURE_WINDOW:
        throttle = Throttle(failures=0, window_started=now, locked_until=None)
    failures = throttle.failures + 1
    locked_until = now + LOCKOUT if failures >= MAX_FAILURES else None
    uow.throttles.save(
        identifier,
        Throttle(
            failures=0 if locked_until else failures,
            window_started=now if locked_until else throttle.window_started,
            locked_until=locked_until,
        ),
    )


def record_success(uow: IdentityUnitOfWork, identifier: str) -> None:
    uow.throttles.clear(identifier)
