"""Four eyes: propose → approve (by someone else with the right role) → executed, recorded.

Generic over kinds of proposal (``oversight.kinds``): each feature defines the kinds it needs
(a manual colour, a release, a policy activation, a case, a risk area…) and the bootstrap hands
their table to these use cases. The proposer can never approve their own proposal; everything
is kept.

``propose``, ``approve`` and ``reject`` each run in their own transaction; a use case that
proposes or decides as part of its own work calls ``propose_in``, ``approve_in`` or
``reject_in`` inside its transaction instead."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput, NotAllowed, NotFound
from healthcode.kernel.ids import new_id
from healthcode.kernel.text import TextKind, check_json, clean_text
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.audit import record_access, record_reads
from healthcode.oversight.authz import require, require_person_scope, require_scope, sees_person
from healthcode.oversight.kinds import Approval, ProposalHandler, ProposalKinds
from healthcode.oversight.model import MAX_REASON_LENGTH, Proposal, ProposalStatus
from healthcode.oversight.ports import OversightUnitOfWork


def _reason(text: str, field: str) -> str:
    """A reason or note: the text rule of multi-line text, then its whitespace collapsed."""
    clean = " ".join(clean_text(text, field=field, kind=TextKind.TEXT).split())
    if not clean:
        raise InvalidInput.one(field, "must not be empty: say why")
    if len(clean) > MAX_REASON_LENGTH:
        raise InvalidInput.one(field, f"must be at most {MAX_REASON_LENGTH} characters")
    return clean


def _note(text: str) -> str:
    """An optional note kept with an approval: the text rule, whitespace collapsed."""
    return " ".join(clean_text(text, field="note", kind=TextKind.TEXT).split())


def propose(
    *,
    uow: OversightUnitOfWork,
    clock: Clock,
    kinds: ProposalKinds,
    principal: Principal,
    action: str,
    payload: Mapping[str, Any],
    reason: str,
) -> Proposal:
    """Propose a change of kind ``action``; it does nothing until someone else approves it."""
    with uow:
        proposal = propose_in(
            uow,
            clock=clock,
            kinds=kinds,
            principal=principal,
            action=action,
            payload=payload,
            reason=reason,
        )
        uow.commit()
    return proposal


def propose_in(
    uow: OversightUnitOfWork,
    *,
    clock: Clock,
    kinds: ProposalKinds,
    principal: Principal,
    action: str,
    payload: Mapping[str, Any],
    reason: str,
) -> Proposal:
    """``propose``, inside the caller's transaction."""
    principal = require(principal, Action.PROPOSE)
    handler = kinds.handler(action)
    principal = require(principal, handler.propose_action)
    clean_reason = _reason(reason, "reason")
    check_json(payload, field="payload")
    prepared = handler.prepare(uow, clock, principal, payload)
    jurisdiction = prepared.jurisdiction or principal.jurisdiction
    if jurisdiction is None:
        raise InvalidInput.one("jurisdiction", "cannot tell which jurisdiction this is for")
    _scope(uow, principal, jurisdiction, prepared.subject, handler.propose_action)
    proposal = Proposal(
        id=new_id(),
        kind=handler.kind,
        subject=prepared.subject,
        case_id=prepared.case_id,
        jurisdiction=jurisdiction,
        payload=dict(prepared.payload),
        reason=clean_reason,
        proposed_by=_name(principal),
        proposed_by_role=principal.role.value,
        proposed_at=clock.now(),
        proposer_sponsor=principal.sponsor,
        people=prepared.people,
        bulk=prepared.bulk,
    )
    uow.proposals.add(proposal)
    _record(uow, clock, principal, proposal, "proposal made")
    return proposal


def _record(
    uow: OversightUnitOfWork, clock: Clock, principal: Principal, proposal: Proposal, what: str
) -> None:
    """A proposal about a person shows its payload (their case, times, test reference) to
    whoever makes, decides or reads it: that is a read of their data, recorded."""
    if proposal.subject is not None:
        record_access(
            uow,
            clock=clock,
            principal=principal,
            subject=proposal.subject,
            what=f"{what}: {proposal.kind}",
            purpose=principal.purpose,
        )


def _pending(uow: OversightUnitOfWork, proposal_id: str) -> Proposal:
    proposal = uow.proposals.get(proposal_id, for_update=True)
    if proposal is None:
        raise NotFound("proposal", proposal_id)
    if proposal.status is not ProposalStatus.PENDING:
        raise Conflict("status", f"the proposal is already {proposal.status.value}")
    return proposal


def _to_decide(
    uow: OversightUnitOfWork, kinds: ProposalKinds, principal: Principal, proposal_id: str
) -> tuple[Proposal, ProposalHandler[Any], Principal]:
    """The pending proposal, its kind, and the principal, checked fit to decide it: one who
    decides proposals, holds the kind's approving role and acts within its scope."""
    principal = require(principal, Action.DECIDE_PROPOSAL)
    proposal = _pending(uow, proposal_id)
    handler = kinds.handler(proposal.kind)
    principal = require(principal, handler.approve_action)
    _scope(uow, principal, proposal.jurisdiction, proposal.subject, handler.approve_action)
    return proposal, handler, principal


def _name(principal: Principal) -> str:
    return principal.name or principal.id


def _decision(
    proposal: Proposal, principal: Principal, status: ProposalStatus, clock: Clock, note: str
) -> Proposal:
    return replace(
        proposal,
        payload=proposal.shown_payload,  # the sealed part served the decision only
        status=status,
        decided_by=_name(principal),
        decided_by_role=principal.role.value,
        decided_at=clock.now(),
        decision_note=note,
    )


def approve(
    *,
    uow: OversightUnitOfWork,
    clock: Clock,
    kinds: ProposalKinds,
    principal: Principal,
    proposal_id: str,
    note: str = "",
) -> Proposal:
    """Approve and execute a proposal in one transaction: the approver must hold the kind's
    approving role, act in its jurisdiction, and not be the proposer."""
    with uow:
        decided = approve_in(
            uow, clock=clock, kinds=kinds, principal=principal, proposal_id=proposal_id, note=note
        )
        uow.commit()
    return decided


def approve_in(
    uow: OversightUnitOfWork,
    *,
    clock: Clock,
    kinds: ProposalKinds,
    principal: Principal,
    proposal_id: str,
    note: str = "",
) -> Proposal:
    """``approve``, inside the caller's transaction. A bulk proposal's first approval is only
    recorded: it stays pending until a second approver, neither the proposer nor the first
    approver, approves it too."""
    clean_note = _note(note)
    proposal, handler, principal = _to_decide(uow, kinds, principal, proposal_id)
    _require_other_eyes(proposal, principal, handler.approve_action)
    if proposal.bulk:
        if proposal.first_approved_by is None:
            return _first_approval(uow, clock, principal, proposal, clean_note)
        if _name(principal) == proposal.first_approved_by:
            raise NotAllowed(
                handler.approve_action.value,
                "a bulk action needs a second approver: you approved it already",
            )
    result = handler.execute(Approval(uow=uow, clock=clock, proposal=proposal, approver=principal))
    decided = replace(
        _decision(proposal, principal, ProposalStatus.APPROVED, clock, clean_note),
        result=dict(result),
    )
    kept = {key: value for key, value in result.items() if key not in handler.shown_once}
    uow.proposals.save_decision(replace(decided, result=kept))
    _record(uow, clock, principal, decided, "proposal approved")
    return decided


def _first_approval(
    uow: OversightUnitOfWork, clock: Clock, principal: Principal, proposal: Proposal, note: str
) -> Proposal:
    """Record the first of a bulk proposal's two approvals; nothing is executed yet."""
    first = replace(
        proposal,
        first_approved_by=_name(principal),
        first_approved_by_role=principal.role.value,
        first_approved_at=clock.now(),
        first_approval_note=note,
    )
    uow.proposals.save_first_approval(first)
    _record(uow, clock, principal, first, "bulk proposal approved once")
    return replace(first, payload=first.shown_payload)


def _require_other_eyes(proposal: Proposal, approver: Principal, action: Action) -> None:
    """The approver is not the proposer, nor an account the proposer sponsored, nor the
    sponsor of the proposer's account: an admin who had a second account made for themself
    cannot pair it with their own."""
    name = _name(approver)
    if name == proposal.proposed_by:
        raise NotAllowed(action.value, "the proposer cannot approve their own proposal")
    if approver.sponsor is not None and approver.sponsor == proposal.proposed_by:
        raise NotAllowed(
            action.value, "the proposer sponsored your account: another official must approve"
        )
    if proposal.proposer_sponsor is not None and proposal.proposer_sponsor == name:
        raise NotAllowed(
            action.value, "you sponsored the proposer's account: another official must approve"
        )


def reject(
    *,
    uow: OversightUnitOfWork,
    clock: Clock,
    kinds: ProposalKinds,
    principal: Principal,
    proposal_id: str,
    note: str,
) -> Proposal:
    """Reject a proposal, saying why; nothing is executed. Rejecting harms no one, so an
    approver may also reject (withdraw) their own."""
    with uow:
        decided = reject_in(
            uow, clock=clock, kinds=kinds, principal=principal, proposal_id=proposal_id, note=note
        )
        uow.commit()
    return decided


def reject_in(
    uow: OversightUnitOfWork,
    *,
    clock: Clock,
    kinds: ProposalKinds,
    principal: Principal,
    proposal_id: str,
    note: str,
) -> Proposal:
    """``reject``, inside the caller's transaction."""
    clean_note = _reason(note, "note")
    proposal, _, principal = _to_decide(uow, kinds, principal, proposal_id)
    decided = _decision(proposal, principal, ProposalStatus.REJECTED, clock, clean_note)
    uow.proposals.save_decision(decided)
    _record(uow, clock, principal, decided, "proposal rejected")
    return decided


def list_proposals(
    *,
    uow: OversightUnitOfWork,
    clock: Clock,
    principal: Principal,
    status: ProposalStatus | None = None,
) -> list[Proposal]:
    """Proposals of the principal's jurisdiction, oldest first; for an official with a
    district, only those about no one person or about a person of that district. Each person
    shown is recorded in the access log."""
    principal = require(principal, Action.LIST_PROPOSALS)
    with uow:
        found = uow.proposals.list(
            status=status, jurisdiction=principal.jurisdiction, district=principal.district
        )
        if record_reads(
            uow,
            clock=clock,
            principal=principal,
            subjects=[p.subject for p in found if p.subject is not None],
            what="proposals",
        ):
            uow.commit()
    return found


def get_proposal(
    *, uow: OversightUnitOfWork, clock: Clock, principal: Principal, proposal_id: str
) -> Proposal:
    """One proposal within the principal's jurisdiction (and district, for a proposal about a
    person); anything else is not found. Reading one about a person is recorded."""
    principal = require(principal, Action.LIST_PROPOSALS)
    with uow:
        proposal = uow.proposals.get(proposal_id)
        if (
            proposal is None
            or (
                principal.jurisdiction is not None
                and proposal.jurisdiction != principal.jurisdiction
            )
            or (proposal.subject is not None and not sees_person(uow, principal, proposal.subject))
        ):
            raise NotFound("proposal", proposal_id)
        _record(uow, clock, principal, proposal, "proposal")
        uow.commit()
    return proposal


def _scope(
    uow: OversightUnitOfWork,
    principal: Principal,
    jurisdiction: str,
    subject: str | None,
    action: Action,
) -> None:
    """A proposal about one person is in scope only within the official's district too."""
    if subject is None:
        require_scope(principal, jurisdiction, action=action)
        return
    require_person_scope(
        principal,
        jurisdiction=jurisdiction,
        district=uow.persons.district_of(subject),
        action=action,
    )
