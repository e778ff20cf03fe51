"""Four-eyes kinds for officials' accounts, proposed by one admin and approved by another:
``create_official``, ``change_official`` (role or scope), ``reset_totp``, ``disable_official``
and ``enable_official``. Disabling an account or resetting its TOTP revokes its sessions at
once (API and console alike), so re-enabling it brings none back.

No admin acts on their own account, neither as proposer nor as approver, and no change leaves
the instance without an active admin. Whoever proposes an account, or a change of its role or
scope, becomes its sponsor: ``oversight.proposals`` never lets an official and their sponsor be
the two pairs of eyes, so an admin who had a second account made cannot pair the two.

A new official's password reaches the proposal only as its argon2id hash, in the payload's
sealed part (never shown, dropped once decided); a new TOTP provisioning URI is in the answer
to the approver only (``shown_once``), never stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Final

import pyotp

from healthcode.identity.model import Official
from healthcode.identity.officials import (
    OfficialAccount,
    account_problems,
    open_account_in,
    role_problems,
    scope_problems,
    totp_uri,
)
from healthcode.identity.passwords import hash_password
from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput, NotAllowed, NotFound
from healthcode.oversight.access import Action, Principal, Role
from healthcode.oversight.kinds import Approval, Prepared, ProposalHandler
from healthcode.oversight.model import SEALED

CREATE_OFFICIAL: Final = "create_official"
CHANGE_OFFICIAL: Final = "change_official"
RESET_TOTP: Final = "reset_totp"
DISABLE_OFFICIAL: Final = "disable_official"
ENABLE_OFFICIAL: Final = "enable_official"
ACCOUNT_KINDS: Final = (
    CREATE_OFFICIAL,
    CHANGE_OFFICIAL,
    RESET_TOTP,
    DISABLE_OFFICIAL,
    ENABLE_OFFICIAL,
)

_ACTION = Action.PROPOSE_ACCOUNT_CHANGE.value


def _text(payload: Mapping[str, Any], field: str, *, required: bool = True) -> str | None:
    value = payload.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise InvalidInput.one(f"payload.{field}", "must be text")
    return value


def _own_region(principal: Principal) -> str:
    if principal.jurisdiction is None:
        raise NotAllowed(_ACTION, "an admin without a jurisdiction cannot manage accounts")
    return principal.jurisdiction


# --- create_official ---------------------------------------------------------------------------


def _prepare_create(
    uow: IdentityUnitOfWork, clock: Clock, principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    account = OfficialAccount(
        username=str(_text(payload, "username")),
        role=str(_text(payload, "role")),
        jurisdiction=str(_text(payload, "jurisdiction")),
        password=str(_text(payload, "password")),
        district=_text(payload, "district", required=False) or None,
    )
    problems = account_problems(account, serving=_own_region(principal), admin=principal)
    if problems:
        raise InvalidInput([replace(p, field=f"payload.{p.field}") for p in problems])
    if uow.officials.by_username(account.username) is not None:
        raise Conflict("payload.username", "is already taken")
    return Prepared(
        payload={
            "username": account.username,
            "role": account.role,
            "jurisdiction": account.jurisdiction,
            "district": account.district,
            SEALED: {"password_hash": hash_password(account.password)},
        }
    )


def _create(approval: Approval[IdentityUnitOfWork]) -> Mapping[str, Any]:
    p = approval.proposal.payload
    account = OfficialAccount(
        username=str(p["username"]),
        role=str(p["role"]),
        jurisdiction=str(p["jurisdiction"]),
        district=None if p["district"] is None else str(p["district"]),
        password="",  # unused: the account is opened with the sealed hash
    )
    created = open_account_in(
        approval.uow,
        approval.clock,
        account,
        password_hash=str(p[SEALED]["password_hash"]),
        sponsor=approval.proposal.proposed_by,
    )
    return {"official_id": created.id, "username": created.username, "totp_uri": created.totp_uri}


# --- acting on an existing account -------------------------------------------------------------


def _target(
    uow: IdentityUnitOfWork, principal: Principal, username: str, *, active: bool = True
) -> Official:
    """The account ``username`` (active, or with ``active`` False a disabled one) within the
    admin's jurisdiction, not the admin's own."""
    official = uow.officials.by_username(username)
    if official is None or official.active is not active:
        raise NotFound("official", username)
    if scope_problems(official.jurisdiction, None, serving=_own_region(principal), admin=None):
        raise NotFound("official", username)  # another jurisdiction's accounts are not seen
    if official.username == principal.name:
        raise NotAllowed(_ACTION, "no admin proposes or approves a change of their own account")
    return official


def _target_of(approval: Approval[IdentityUnitOfWork], *, active: bool = True) -> Official:
    official = _target(
        approval.uow,
        approval.approver,
        str(approval.proposal.payload["username"]),
        active=active,
    )
    if official.id != approval.proposal.payload["official_id"]:
        raise Conflict("username", "now names another account: propose again")
    return official


def _keep_an_admin(uow: IdentityUnitOfWork, official: Official) -> None:
    """Refuse leaving no active admin (the accounts are locked until the transaction ends)."""
    if (
        official.role == Role.ADMIN.value
        and official.active
        and uow.officials.count_active(role=Role.ADMIN.value, for_update=True) <= 1
    ):
        raise Conflict("payload.username", "is the last active admin")


def _about(official: Official) -> dict[str, Any]:
    return {"username": official.username, "official_id": official.id}


# --- change_official ---------------------------------------------------------------------------


def _changed(official: Official, principal: Principal, payload: Mapping[str, Any]) -> Official:
    """The account as the payload changes it: ``role``, ``jurisdiction`` and ``district``
    (``null`` for the whole jurisdiction), each only when given."""
    role = _text(payload, "role", required=False) or official.role
    jurisdiction = _text(payload, "jurisdiction", required=False) or official.jurisdiction
    district = official.district
    if "district" in payload:
        district = _text(payload, "district", required=False) or None
    problems = role_problems(role) + scope_problems(
        jurisdiction, district, serving=_own_region(principal), admin=principal
    )
    if problems:
        raise InvalidInput([replace(p, field=f"payload.{p.field}") for p in problems])
    changed = replace(official, role=role, jurisdiction=jurisdiction, district=district)
    if changed == official:
        raise InvalidInput.one("payload", "changes nothing: give a new role, scope or district")
    return changed


def _prepare_change(
    uow: IdentityUnitOfWork, clock: Clock, principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    official = _target(uow, principal, str(_text(payload, "username")))
    changed = _changed(official, principal, payload)
    if changed.role != Role.ADMIN.value:
        _keep_an_admin(uow, official)
    return Prepared(
        payload={
            **_about(official),
            "role": changed.role,
            "jurisdiction": changed.jurisdiction,
            "district": changed.district,
        }
    )


def _change(approval: Approval[IdentityUnitOfWork]) -> Mapping[str, Any]:
    official = _target_of(approval)
    p = approval.proposal.payload
    changed = replace(
        official,
        role=str(p["role"]),
        jurisdiction=str(p["jurisdiction"]),
        district=None if p["district"] is None else str(p["district"]),
        sponsored_by=approval.proposal.proposed_by,
    )
    if changed.role != Role.ADMIN.value:
        _keep_an_admin(approval.uow, official)
    approval.uow.officials.save(changed)
    return {**_about(changed), "role": changed.role, "jurisdiction": changed.jurisdiction}


# --- reset_totp and disable_official -----------------------------------------------------------


def _prepare_about(
    uow: IdentityUnitOfWork, clock: Clock, principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    official = _target(uow, principal, str(_text(payload, "username")))
    return Prepared(payload=_about(official))


def _prepare_disable(
    uow: IdentityUnitOfWork, clock: Clock, principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    official = _target(uow, principal, str(_text(payload, "username")))
    _keep_an_admin(uow, official)
    return Prepared(payload=_about(official))


def _reset_totp(approval: Approval[IdentityUnitOfWork]) -> Mapping[str, Any]:
    """A new secret at once (the old one stops working), and its URI for the approver to hand
    to the official."""
    official = _target_of(approval)
    secret = pyotp.random_base32()
    approval.uow.officials.save(replace(official, totp_secret=secret, totp_last_step=0))
    _end_sessions(approval, official)
    return {**_about(official), "totp_uri": totp_uri(secret, official.username)}


def _end_sessions(approval: Approval[IdentityUnitOfWork], official: Official) -> int:
    """Revoke the official's live sessions (a lost phone, a disabled account)."""
    return approval.uow.sessions.revoke_all(
        kind="official", principal_id=official.id, at=approval.clock.now()
    )


def _disable(approval: Approval[IdentityUnitOfWork]) -> Mapping[str, Any]:
    """The account stops logging in, and its sessions stop working, at once."""
    official = _target_of(approval)
    _keep_an_admin(approval.uow, official)
    approval.uow.officials.save(replace(official, active=False))
    return {
        **_about(official),
        "active": False,
        "sessions_ended": _end_sessions(approval, official),
    }


def _prepare_enable(
    uow: IdentityUnitOfWork, clock: Clock, principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    official = _target(uow, principal, str(_text(payload, "username")), active=False)
    return Prepared(payload=_about(official))


def _enable(approval: Approval[IdentityUnitOfWork]) -> Mapping[str, Any]:
    """The account logs in again (with its password and TOTP; no old session returns)."""
    official = _target_of(approval, active=False)
    approval.uow.officials.save(replace(official, active=True))
    return {**_about(official), "active": True}


def _handler(
    kind: str, prepare: Any, execute: Any, description: str, *, once: frozenset[str] = frozenset()
) -> ProposalHandler[IdentityUnitOfWork]:
    return ProposalHandler[IdentityUnitOfWork](
        kind=kind,
        propose_action=Action.PROPOSE_ACCOUNT_CHANGE,
        approve_action=Action.APPROVE_ACCOUNT_CHANGE,
        prepare=prepare,
        execute=execute,
        description=description,
        shown_once=once,
    )


ACCOUNT_HANDLERS: Final = (
    _handler(
        CREATE_OFFICIAL,
        _prepare_create,
        _create,
        "create an official's account; the approver gets its TOTP URI once",
        once=frozenset({"totp_uri"}),
    ),
    _handler(CHANGE_OFFICIAL, _prepare_change, _change, "change an official's role or scope"),
    _handler(
        RESET_TOTP,
        _prepare_about,
        _reset_totp,
        "replace an official's TOTP secret; the approver gets the new URI once",
        once=frozenset({"totp_uri"}),
    ),
    _handler(
        DISABLE_OFFICIAL,
        _prepare_disable,
        _disable,
        "disable an official's account; their sessions end at once",
    ),
    _handler(ENABLE_OFFICIAL, _prepare_enable, _enable, "re-enable a disabled official's account"),
)
"""The kinds of proposal for officials' accounts (``healthcode.bootstrap`` lists them)."""
