"""Four-eyes kinds that change a person's colour directly: a manual colour override with a health
reason and an expiry, and an official release from named rules. Each validates its payload when
proposed and, when approved, writes its fact and reassesses the person in the approval's
transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotFound, Problem
from healthcode.kernel.facts import Colour, ManualOverride, Release
from healthcode.kernel.ids import new_id
from healthcode.kernel.times import time_problem
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.bulk import OVERRIDE_WINDOW, is_bulk
from healthcode.oversight.kinds import Approval, Prepared, ProposalHandler
from healthcode.oversight.model import (
    MAX_OVERRIDE_DURATION,
    OVERRIDE_REASON_CATEGORIES,
    ProposalKind,
)
from healthcode.status.assessment import record_fact
from healthcode.status.ports import StatusUnitOfWork


def proposed_subject(uow: StatusUnitOfWork, payload: Mapping[str, Any]) -> tuple[str, str]:
    """The registered person a proposal's payload names, and their jurisdiction."""
    subject = payload.get("subject")
    if not isinstance(subject, str) or not subject:
        raise InvalidInput.one("payload.subject", "is required")
    jurisdiction = uow.persons.jurisdiction_of(subject)
    if jurisdiction is None:
        raise NotFound("person", subject)
    return subject, jurisdiction


def _expiry(raw: object, now: datetime) -> datetime | Problem:
    field = "payload.expires_at"
    if not isinstance(raw, str):
        return Problem(field, "is required: an override always expires (ISO 8601 with a zone)")
    try:
        expires_at = datetime.fromisoformat(raw)
    except ValueError:
        return Problem(field, f"{raw!r} is not an ISO 8601 time")
    if (problem := time_problem(expires_at)) is not None:
        return Problem(field, problem)
    if expires_at <= now:
        return Problem(field, "must be in the future")
    if expires_at - now > MAX_OVERRIDE_DURATION:
        return Problem(field, f"must be within {MAX_OVERRIDE_DURATION.days} days")
    return expires_at


def _override_batch(uow: StatusUnitOfWork, clock: Clock, principal: Principal) -> int:
    """The people an override touches, as a bulk action counts them: this one and the
    proposer's other overrides of the last ``OVERRIDE_WINDOW`` (one person each)."""
    return 1 + uow.proposals.count_proposed_by(
        kind=ProposalKind.OVERRIDE_COLOUR.value,
        proposed_by=principal.name or principal.id,
        since=clock.now() - OVERRIDE_WINDOW,
    )


def _prepare_override(
    uow: StatusUnitOfWork, clock: Clock, principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    subject, jurisdiction = proposed_subject(uow, payload)
    problems: list[Problem] = []
    colour = payload.get("colour")
    if colour not in {c.value for c in Colour}:
        problems.append(Problem("payload.colour", "must be green, yellow or red"))
    category = payload.get("reason_category")
    if category not in OVERRIDE_REASON_CATEGORIES:
        allowed = ", ".join(OVERRIDE_REASON_CATEGORIES)
        problems.append(
            Problem("payload.reason_category", f"must be a health reason, one of {allowed}")
        )
    expires_at = _expiry(payload.get("expires_at"), clock.now())
    if isinstance(expires_at, Problem):
        problems.append(expires_at)
    if problems or isinstance(expires_at, Problem):
        raise InvalidInput(problems)
    people = _override_batch(uow, clock, principal)
    return Prepared(
        subject=subject,
        jurisdiction=jurisdiction,
        payload={
            "subject": subject,
            "colour": colour,
            "reason_category": category,
            "expires_at": expires_at.isoformat(),
        },
        people=people,
        bulk=is_bulk(people, uow.policies.active(jurisdiction)),
    )


def _execute_override(approval: Approval[StatusUnitOfWork]) -> Mapping[str, Any]:
    proposal, now = approval.proposal, approval.clock.now()
    expires_at = datetime.fromisoformat(str(proposal.payload["expires_at"]))
    if expires_at <= now:
        raise InvalidInput.one("payload.expires_at", "has passed since it was proposed")
    fact = ManualOverride(
        id=new_id(),
        subject=str(proposal.subject),
        at=now,
        recorded_at=now,
        colour=Colour(str(proposal.payload["colour"])),
        reason_category=str(proposal.payload["reason_category"]),
        reason_text=proposal.reason,
        expires_at=expires_at,
        proposed_by=proposal.proposed_by,
        approved_by=approval.approver.name or approval.approver.id,
    )
    status = record_fact(approval.uow, clock=approval.clock, fact=fact)
    return {"fact": fact.id, "colour": status.colour.value}


def _prepare_release(
    uow: StatusUnitOfWork, _clock: Clock, _principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    subject, jurisdiction = proposed_subject(uow, payload)
    rules = payload.get("rules", [])
    if not isinstance(rules, list) or not all(isinstance(r, str) and r for r in rules):
        raise InvalidInput.one("payload.rules", "must be a list of rule ids (empty: every rule)")
    known = {rule.id for rule in uow.policies.active(jurisdiction).rules}
    unknown = [r for r in rules if r not in known]
    if unknown:
        raise InvalidInput.one("payload.rules", f"not rules of the active policy: {unknown}")
    return Prepared(
        subject=subject, jurisdiction=jurisdiction, payload={"subject": subject, "rules": rules}
    )


def _execute_release(approval: Approval[StatusUnitOfWork]) -> Mapping[str, Any]:
    proposal, now = approval.proposal, approval.clock.now()
    fact = Release(
        id=new_id(),
        subject=str(proposal.subject),
        at=now,
        recorded_at=now,
        rules=tuple(str(r) for r in proposal.payload.get("rules", [])),
        reason=proposal.reason,
        approved_by=approval.approver.name or approval.approver.id,
    )
    status = record_fact(approval.uow, clock=approval.clock, fact=fact)
    return {"fact": fact.id, "colour": status.colour.value}


OVERRIDE_COLOUR = ProposalHandler[StatusUnitOfWork](
    kind=ProposalKind.OVERRIDE_COLOUR.value,
    propose_action=Action.PROPOSE_OVERRIDE,
    approve_action=Action.APPROVE_OVERRIDE,
    prepare=_prepare_override,
    execute=_execute_override,
    description="a manual colour with a health reason category and an expiry",
)

RELEASE = ProposalHandler[StatusUnitOfWork](
    kind=ProposalKind.RELEASE_QUARANTINE.value,
    propose_action=Action.PROPOSE_RELEASE,
    approve_action=Action.APPROVE_RELEASE,
    prepare=_prepare_release,
    execute=_execute_release,
    description="an official release from the named rules (every rule when none named)",
)
