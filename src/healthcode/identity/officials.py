"""Officials: accounts with a role and a scope, password + TOTP logins, sessions that expire.

A TOTP code is accepted once: its time step must be later than the last accepted one, so a
code seen over a shoulder or replayed from a log is refused even within its 30 seconds, and
of parallel logins with the same code only one wins (``use_totp_step`` is one conditional
update)."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp

from healthcode.identity.model import AuthSession, Official
from healthcode.identity.passwords import (
    check_password_rules,
    hash_password,
    new_token,
    record_success,
    reserve_attempt,
    token_hash,
    verify_password,
)
from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.identity.website import IssuedSession
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, Problem
from healthcode.kernel.ids import new_id
from healthcode.kernel.regions import contains, is_region_code
from healthcode.kernel.text import TextKind, check_secret, clean_text
from healthcode.oversight.access import OFFICIAL_ROLES, Action, Principal, Role
from healthcode.oversight.authz import require

OFFICIAL_SESSION_LIFETIME = timedelta(hours=8)
TOTP_STEP_SECONDS = 30
TOTP_ISSUER = "healthcode"
LOGIN_REFUSED = "username, password or one-time code is wrong"
_USERNAME = re.compile(r"[a-z][a-z0-9._-]{1,63}")


@dataclass(frozen=True, kw_only=True)
class OfficialAccount:
    """An official's account as the admin enters it (``add_official`` checks every field)."""

    username: str
    role: str
    jurisdiction: str
    password: str
    district: str | None = None


@dataclass(frozen=True)
class NewOfficial:
    """A created account; the TOTP provisioning URI is shown once and never again."""

    id: str
    username: str
    role: str
    jurisdiction: str
    district: str | None
    totp_uri: str


def principal_of(official: Official) -> Principal:
    return Principal(
        role=Role(official.role),
        id=official.id,
        name=official.username,
        jurisdiction=official.jurisdiction,
        district=official.district,
    )


def _scope_problems(
    account: OfficialAccount, *, serving: str, admin: Principal | None
) -> list[Problem]:
    """What is wrong with the account's jurisdiction and district: another jurisdiction's
    official, or a district that is no region of its jurisdiction, would act where this
    instance has no say."""
    jurisdiction, district = account.jurisdiction, account.district
    if not is_region_code(jurisdiction):
        return [Problem("jurisdiction", "must be a GB/T 2260 six-digit region code")]
    problems: list[Problem] = []
    if not contains(serving, jurisdiction):
        problems.append(
            Problem("jurisdiction", f"must lie in {serving}, which this instance serves")
        )
    elif (
        admin is not None and admin.jurisdiction and not contains(admin.jurisdiction, jurisdiction)
    ):
        problems.append(
            Problem("jurisdiction", f"must lie in the admin's own {admin.jurisdiction}")
        )
    if district and not is_region_code(district):
        problems.append(Problem("district", "must be a GB/T 2260 six-digit region code"))
    elif district and (district == jurisdiction or not contains(jurisdiction, district)):
        problems.append(Problem("district", f"must be a region inside {jurisdiction}"))
    return problems


def add_official(
    *,
    uow: IdentityUnitOfWork,
    clock: Clock,
    principal: Principal | None,
    account: OfficialAccount,
    serving: str,
) -> NewOfficial:
    """Create an official's account. ``principal`` None is the operator at the console, who
    bootstraps the first admin with `healthcode official add`. The account's jurisdiction lies
    inside the one this instance is ``serving`` (and the acting admin's), its district inside
    its jurisdiction."""
    if principal is not None:
        require(principal, Action.MANAGE_OFFICIALS)
    username, role, jurisdiction = account.username, account.role, account.jurisdiction
    problems = _scope_problems(account, serving=serving, admin=principal)
    if not _USERNAME.fullmatch(username):
        problems.append(Problem("username", "must be 2-64 lower-case letters, digits, . _ or -"))
    if role not in {r.value for r in OFFICIAL_ROLES}:
        allowed = ", ".join(r.value for r in OFFICIAL_ROLES)
        problems.append(Problem("role", f"must be one of {allowed}"))
    try:
        check_password_rules(account.password)
    except InvalidInput as refused:
        problems.extend(refused.problems)
    if problems:
        raise InvalidInput(problems)
    secret = pyotp.random_base32()
    official = Official(
        id=new_id(),
        username=username,
        role=role,
        jurisdiction=jurisdiction,
        district=account.district or None,
        password_hash=hash_password(account.password),
        totp_secret=secret,
        totp_last_step=0,
        created_at=clock.now(),
    )
    with uow:
        if uow.officials.by_username(username) is not None:
            raise Conflict("username", "is already taken")
        uow.officials.add(official)
        uow.commit()
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)
    return NewOfficial(official.id, username, role, jurisdiction, official.district, uri)


def _totp_step(secret: str, code: str, now: datetime, last_step: int) -> int | None:
    """The time step the code belongs to (now, or one step either side), if later than the
    last accepted one."""
    code = code.strip()
    if not (code.isascii() and code.isdigit()):
        return None  # compare_digest refuses non-ASCII text; no such code is ever right
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // TOTP_STEP_SECONDS
    for step in (current - 1, current, current + 1):
        expected = totp.at(step * TOTP_STEP_SECONDS)
        if step > last_step and hmac.compare_digest(expected, code):
            return step
    return None


def log_in_official(
    *, uow: IdentityUnitOfWork, clock: Clock, username: str, password: str, totp_code: str
) -> IssuedSession:
    """An official's session for password + TOTP; ``NotAuthenticated`` or ``TooManyAttempts``.

    As for citizens, the attempt is counted and committed before the password is checked.
    The code's time step is then taken by a conditional update in the transaction that opens
    the session: of parallel logins with one code, only one gets a session."""
    username = clean_text(username, field="username", kind=TextKind.IDENTIFIER)
    check_secret(password, field="password")
    totp_code = clean_text(totp_code, field="totp", kind=TextKind.IDENTIFIER)
    now = clock.now()
    identifier = f"official:{username}"
    with uow:
        reserve_attempt(uow, identifier, now)
        official = uow.officials.by_username(username)
        uow.commit()  # the attempt counts before its password is checked
    ok = verify_password(None if official is None else official.password_hash, password)
    step = None
    if official is not None and ok and official.active:
        step = _totp_step(official.totp_secret, totp_code, now, official.totp_last_step)
    if official is None or step is None:
        raise NotAuthenticated(LOGIN_REFUSED)  # the attempt stays counted as a failure
    with uow:
        if not uow.officials.use_totp_step(official.id, step):
            raise NotAuthenticated(LOGIN_REFUSED)  # a parallel login used this step first
        record_success(uow, identifier)
        token = new_token()
        expires_at = now + OFFICIAL_SESSION_LIFETIME
        uow.sessions.add(
            AuthSession(
                token_hash=token_hash(token),
                kind="official",
                principal_id=official.id,
                created_at=now,
                expires_at=expires_at,
            )
        )
        uow.commit()
    return IssuedSession(token=token, expires_at=expires_at, principal=principal_of(official))


def official_principal(*, uow: IdentityUnitOfWork, username: str) -> Principal:
    """The principal of an active official by username: how the CLI's ``--as`` names the
    operator's identity (the console is trusted with the database; it still cannot approve
    its own proposals)."""
    username = clean_text(username, field="as", kind=TextKind.IDENTIFIER)
    with uow:
        official = uow.officials.by_username(username)
    if official is None or not official.active:
        raise NotFound("official", username)
    return principal_of(official)
