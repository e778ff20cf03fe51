"""Authorisation for use cases: the table in ``oversight.access`` decides, use cases enforce."""

from __future__ import annotations

from dataclasses import replace

from healthcode.kernel.errors import NotAllowed
from healthcode.oversight.access import Action, Principal, Purpose, allowed_purposes, is_allowed
from healthcode.oversight.ports import OversightUnitOfWork


def _a(role: str) -> str:
    """The role with its article: a supervisor, an official."""
    return f"{'an' if role[0] in 'aeiou' else 'a'} {role}"


def require(principal: Principal, action: Action, purpose: Purpose | None = None) -> Principal:
    """The principal with the purpose it acts for, or ``NotAllowed``.

    The purpose is the one stated (``purpose`` or the principal's), else the only purpose the
    table allows the role for this action; a role allowed several purposes must state one."""
    stated = purpose or principal.purpose
    allowed = allowed_purposes(principal.role, action)
    if not allowed:
        raise NotAllowed(action.value, f"{_a(principal.role.value)} may not do this")
    if stated is None:
        if len(allowed) > 1:
            raise NotAllowed(action.value, "state the purpose of this request")
        (stated,) = allowed
    if not is_allowed(principal.role, action, stated):
        raise NotAllowed(
            action.value, f"{_a(principal.role.value)} may not do this for {stated.value}"
        )
    return replace(principal, purpose=stated)


def require_scope(principal: Principal, jurisdiction: str | None, *, action: Action) -> None:
    """Officials act only within their jurisdiction."""
    known = principal.jurisdiction is not None and jurisdiction is not None
    if known and principal.jurisdiction != jurisdiction:
        raise NotAllowed(action.value, "outside your jurisdiction")


def in_district(principal: Principal, district: str | None) -> bool:
    """Whether a person of ``district`` is within the official's district (an official without
    one sees the whole jurisdiction; a person with no district is outside every district)."""
    return principal.district is None or district == principal.district


def sees_person(uow: OversightUnitOfWork, principal: Principal, subject: str) -> bool:
    """Whether the person is within the official's district (looked up only for an official
    who has one)."""
    return principal.district is None or in_district(principal, uow.persons.district_of(subject))


def require_person_scope(
    principal: Principal, *, jurisdiction: str | None, district: str | None, action: Action
) -> None:
    """Acting on one person: within the official's jurisdiction and, for an official scoped to
    a district, only on people registered in that district (unknown district: outside)."""
    require_scope(principal, jurisdiction, action=action)
    if not in_district(principal, district):
        raise NotAllowed(action.value, f"the person is outside your district {principal.district}")
