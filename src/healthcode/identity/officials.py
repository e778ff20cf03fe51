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
from healthcode.kernel.errors import (
    Conflict,
    InvalidInput,
    NotAllowed,
    NotAuthenticated,
    NotFound,
    Problem,
)
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
    """An official's account as the admin enters it (``account_problems`` checks every field)."""

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


BOOTSTRAP_ADMINS = 2
"""The console creates accounts directly only while fewer active admins than this exist: then
two admins can take over, and every further account is a four-eyes proposal."""


def principal_of(official: Official) -> Principal:
    return Principal(
        role=Role(official.role),
        id=official.id,
        name=official.username,
        jurisdiction=official.jurisdiction,
        district=official.district,
        sponsor=official.sponsored_by,
    )


def scope_problems(
    jurisdiction: str, district: str | None, *, serving: str, admin: Principal | None
) -> list[Problem]:
    """What is wrong with an account's jurisdiction and district: another jurisdiction's
    official, or a district that is no region of its jurisdiction, would act where this
    instance (or the acting admin) has no say."""
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


def role_problems(role: str) -> list[Problem]:
    if role in {r.value for r in OFFICIAL_ROLES}:
        return []
    allowed = ", ".join(r.value for r in OFFICIAL_ROLES)
    return [Problem("role", f"must be one of {allowed}")]


def account_problems(
    account: OfficialAccount, *, serving: str, admin: Principal | None
) -> list[Problem]:
    """Every field of ``account`` that breaks a rule, with the rule."""
    problems = scope_problems(account.jurisdiction, account.district, serving=serving, admin=admin)
    if not _USERNAME.fullmatch(account.username):
        problems.append(Problem("username", "must be 2-64 lower-case letters, digits, . _ or -"))
    problems.extend(role_problems(account.role))
    try:
        check_password_rules(account.password)
    except InvalidInput as refused:
        problems.extend(refused.problems)
    return problems


def open_account_in(
    uow: IdentityUnitOfWork,
    clock: Clock,
    account: OfficialAccount,
    *,
    password_hash: str,
    sponsor: str | None,
    totp_secret: str | None = None,
) -> NewOfficial:
    """Create a checked account with a fresh TOTP secret (or the one given: only the demo's
    published accounts have one known beforehand), inside the caller's transaction
    (``account.password`` is not read: the caller hashed it, perhaps long before)."""
    if uow.officials.by_username(account.username) is not None:
        raise Conflict("username", "is already taken")
    secret = totp_secret or pyotp.random_base32()
    official = Official(
        id=new_id(),
        username=account.username,
        role=account.role,
        jurisdiction=account.jurisdiction,
        district=account.district or None,
        password_hash=password_hash,
        totp_secret=secret,
        totp_last_step=0,
        created_at=clock.now(),
        sponsored_by=sponsor,
    )
    uow.officials.add(official)
    return NewOfficial(
        official.id,
        official.username,
        official.role,
        official.jurisdiction,
        official.district,
        totp_uri(secret, official.username),
    )


def totp_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def add_official(
    *, uow: IdentityUnitOfWork, clock: Clock, account: OfficialAccount, serving: str
) -> NewOfficial:
    """Create an official's account from the console (`healthcode official add`), only to
    bootstrap: while fewer than ``BOOTSTRAP_ADMINS`` active admins exist. After that, accounts
    are four-eyes proposals of two admins (``identity.kinds``). The account's jurisdiction
    lies inside the one this instance is ``serving``, its district inside its jurisdiction."""
    problems = account_problems(account, serving=serving, admin=None)
    if problems:
        raise InvalidInput(problems)
    password_hash = hash_password(account.password)
    with uow:
        if uow.officials.count_active(role=Role.ADMIN.value, for_update=True) >= BOOTSTRAP_ADMINS:
            raise NotAllowed(
                Action.MANAGE_OFFICIALS.value,
                f"{BOOTSTRAP_ADMINS} admins exist: propose the account as an admin "
                "(`healthcode official propose-add`) and have another admin approve it",
            )
        created = open_account_in(uow, clock, account, password_hash=password_hash, sponsor=None)
        uow.commit()
    return created


def list_officials(*, uow: IdentityUnitOfWork, principal: Principal) -> list[Official]:
    """The accounts within the admin's jurisdiction, by username (secrets are the caller's to
    leave out)."""
    principal = require(principal, Action.MANAGE_OFFICIALS)
    with uow:
        found = uow.officials.all()
    within = principal.jurisdiction
    return [o for o in found if within is None or contains(within, o.jurisdiction)]


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
    """The principal of an active official by username, without a session: for scenes set up
    in-process (tests, benchmarks). The console's ``--as`` does not use it: it authenticates
    the official's session (``cli.context.session_principal``)."""
    username = clean_text(username, field="as", kind=TextKind.IDENTIFIER)
    with uow:
        official = uow.officials.by_username(username)
    if official is None or not official.active:
        raise NotFound("official", username)
    return principal_of(official)
