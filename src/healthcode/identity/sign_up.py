"""Signing up on the city website, in two steps, without telling anyone who is registered.

1. ``start_sign_up``: a six-digit code is sent by SMS to the phone (a job of the durable queue,
   ``identity.texts``, queued with the code). Throttled per client address
   and per phone number (each request counts, in one atomic statement, so parallel requests
   count too); the answer never depends on whether the phone or anything else is known.
2. ``sign_up``: the code, the password and the person's details. A wrong, expired, used-up or
   over-tried code is one refusal, the same whatever is registered. With the right code the
   caller has shown they hold the phone: a phone that already has an account gets no second
   one (the SMS says so), otherwise the person and the account are made, the identity
   *unverified*: the ID number typed is a claim that blocks no one until a channel confirms it
   with a face check (``identity.claims``). Either way the answer is the same.

Nothing in either step looks up the ID number, so neither answer nor timing can tell whether it
is registered. The password is hashed before anything is looked up, on every path."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from healthcode.identity.model import IdentityState
from healthcode.identity.passwords import check_password_rules, hash_password
from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.identity.registration import (
    Register,
    ValidRegistration,
    add_person,
    validate_registration,
)
from healthcode.identity.texts import queue_text
from healthcode.identity.validation import validate_phone
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotAuthenticated, Problem, TooManyAttempts
from healthcode.kernel.text import TextKind, clean_text
from healthcode.oversight.instance import require_collecting

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
CODE_ATTEMPTS = 5  # wrong codes tried against one code before it is dead


@dataclass(frozen=True)
class Limit:
    """At most ``most`` requests per ``window``; the request that reaches it locks for ``lock``."""

    most: int
    window: timedelta
    lock: timedelta


CODES_PER_PHONE = Limit(5, timedelta(hours=1), timedelta(hours=1))
CODES_PER_ADDRESS = Limit(20, timedelta(hours=1), timedelta(hours=1))
SIGN_UPS_PER_ADDRESS = Limit(30, timedelta(hours=1), timedelta(hours=1))

CODE_REFUSED = "the code is wrong, has expired or was already used: ask for a new one"
CODE_TEXT = (
    "healthcode: your sign-up code is {code}. It expires in 10 minutes. Never tell it to anyone."
)
ACCOUNT_MADE_TEXT = (
    "healthcode: your website account is ready: log in with this phone number and your "
    "password. Your identity stays unverified until you confirm it with a face check in a "
    "partner app."
)
ACCOUNT_KEPT_TEXT = (
    "healthcode: this phone number already has a website account, so no new one was made. "
    "Log in with your password."
)


@dataclass(frozen=True, kw_only=True)
class SignUp:
    """What the website's sign-up form sends: the person, a password, the code from the SMS."""

    person: Register
    password: str
    code: str


def _count(uow: IdentityUnitOfWork, identifier: str, limit: Limit, now: datetime) -> int | None:
    """Count one request against ``limit``; the seconds to wait when locked, else None."""
    locked_until = uow.throttles.reserve(
        identifier,
        now=now,
        window_from=now - limit.window,
        limit=limit.most,
        lock_until=now + limit.lock,
    )
    return None if locked_until is None else max(1, int((locked_until - now).total_seconds()))


def _address(client_address: str | None) -> str:
    return client_address or "unknown"


def start_sign_up(
    *,
    uow: IdentityUnitOfWork,
    clock: Clock,
    phone: str,
    client_address: str | None,
) -> None:
    """Queue a sign-up code to ``phone`` by SMS; ``TooManyAttempts`` when the address or the
    phone has asked too often. The count commits even when refused."""
    phone = validate_phone(clean_text(phone, field="phone", kind=TextKind.IDENTIFIER))
    now = clock.now()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with uow:
        require_collecting(uow)
        wait = _count(
            uow, f"sign-up-code-address:{_address(client_address)}", CODES_PER_ADDRESS, now
        )
        if wait is None:
            wait = _count(uow, f"sign-up-code-phone:{phone}", CODES_PER_PHONE, now)
        if wait is None:
            uow.sign_up_codes.forget(before=now - CODE_LIFETIME)
            uow.sign_up_codes.replace(
                phone=phone, code=code, now=now, expires_at=now + CODE_LIFETIME
            )
            queue_text(uow, clock=clock, phone=phone, text=CODE_TEXT.format(code=code))
        uow.commit()
    if wait is not None:
        raise TooManyAttempts(wait)


def _check_form(request: SignUp, *, clock: Clock, jurisdiction: str) -> ValidRegistration:
    """The form normalised, or every rule it breaks named (nothing stored is looked at)."""
    problems: list[Problem] = []
    valid: ValidRegistration | None = None
    try:
        valid = validate_registration(request.person, clock=clock, jurisdiction=jurisdiction)
    except InvalidInput as refused:
        problems.extend(refused.problems)
    try:
        check_password_rules(request.password)
    except InvalidInput as refused:
        problems.extend(refused.problems)
    code = request.code
    if not (len(code) == CODE_DIGITS and code.isascii() and code.isdigit()):
        problems.append(Problem("code", f"must be the {CODE_DIGITS} digits sent by SMS"))
    if problems or valid is None:
        raise InvalidInput(problems)
    return valid


def sign_up(
    *,
    uow: IdentityUnitOfWork,
    clock: Clock,
    jurisdiction: str,
    client_address: str | None,
    request: SignUp,
) -> None:
    """Make the website account the code proves the caller may make (see the module's text).

    ``InvalidInput`` for a bad form; ``NotAuthenticated`` (``CODE_REFUSED``) for any code that
    is not the phone's live one; ``TooManyAttempts`` when the address has tried too often."""
    valid = _check_form(request, clock=clock, jurisdiction=jurisdiction)
    password_hash = hash_password(request.password)  # on every path, so every path takes as long
    now = clock.now()
    with uow:
        wait = _count(uow, f"sign-up-address:{_address(client_address)}", SIGN_UPS_PER_ADDRESS, now)
        proven = wait is None and uow.sign_up_codes.use(
            phone=valid.phone, code=request.code, now=now, most_attempts=CODE_ATTEMPTS
        )
        kept = proven and uow.accounts.by_phone(valid.phone) is not None
        if proven and not kept:
            added = add_person(
                uow,
                clock=clock,
                jurisdiction=jurisdiction,
                valid=valid,
                identity=IdentityState.UNVERIFIED,
            )
            uow.accounts.add(
                subject=added.subject,
                phone=valid.phone,
                password_hash=password_hash,
                created_at=now,
            )
        if proven:
            text = ACCOUNT_KEPT_TEXT if kept else ACCOUNT_MADE_TEXT
            queue_text(uow, clock=clock, phone=valid.phone, text=text)
        uow.commit()  # a refused attempt stays counted
    if wait is not None:
        raise TooManyAttempts(wait)
    if not proven:
        raise NotAuthenticated(CODE_REFUSED)
