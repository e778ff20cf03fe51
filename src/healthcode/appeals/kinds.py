"""``answer_appeal``: the four-eyes kind that corrects the facts behind an appealed colour and
answers the appeal in the same transaction. One official proposes the correction (a release, a
manual colour, or taking back a wrong fact) naming the appeal; another approves it: the fact is
written, the person reassessed at once (the change's cause names the appeal), and the appeal
is decided with the proposal's reason, its turnaround counted to that moment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from healthcode.appeals.decisions import decide_in, open_appeal
from healthcode.appeals.model import RETRACTABLE, Appeal, AppealState, Correction
from healthcode.appeals.ports import AppealsUnitOfWork
from healthcode.appeals.queue import in_scope
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput, NotFound
from healthcode.kernel.facts import Colour, Fact, ManualOverride, Release, effective
from healthcode.kernel.ids import new_id
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.authz import require
from healthcode.oversight.kinds import Approval, Prepared, ProposalHandler
from healthcode.oversight.model import ProposalKind
from healthcode.status.assessment import refresh_status
from healthcode.status.overrides import OVERRIDE_COLOUR, RELEASE

ANSWER_APPEAL = ProposalKind.ANSWER_APPEAL.value
_INNER = {Correction.RELEASE: RELEASE, Correction.OVERRIDE: OVERRIDE_COLOUR}
_OVERRIDE_KEYS = ("colour", "reason_category", "expires_at")


def _appeal(uow: AppealsUnitOfWork, principal: Principal, payload: Mapping[str, Any]) -> Appeal:
    appeal_id = payload.get("appeal")
    if not isinstance(appeal_id, str) or not appeal_id:
        raise InvalidInput.one("payload.appeal", "is required: the appeal this answers")
    appeal = uow.appeals.get(appeal_id)
    if appeal is None or not in_scope(uow, principal, appeal):
        raise NotFound("appeal", appeal_id)
    if appeal.state is not AppealState.OPEN:
        raise Conflict("state", f"the appeal is already {appeal.state.value}")
    return appeal


def _correction(payload: Mapping[str, Any]) -> Correction:
    try:
        return Correction(str(payload.get("correction")))
    except ValueError:
        allowed = ", ".join(c.value for c in Correction)
        raise InvalidInput.one("payload.correction", f"must be one of {allowed}") from None


def _wrong_fact(uow: AppealsUnitOfWork, subject: str, fact_id: object) -> Fact:
    """The person's fact to take back: still effective and of a kind a correction takes back."""
    if not isinstance(fact_id, str) or not fact_id:
        raise InvalidInput.one("payload.fact", "is required: the id of the wrong fact")
    found = [f for f in effective(uow.facts.for_subject(subject, kinds=RETRACTABLE))]
    fact = next((f for f in found if f.id == fact_id), None)
    if fact is None:
        kinds = ", ".join(sorted(k.value for k in RETRACTABLE))
        raise InvalidInput.one(
            "payload.fact", f"is not a standing fact of this person of a kind taken back ({kinds})"
        )
    return fact


def _prepare(
    uow: AppealsUnitOfWork, clock: Clock, principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    appeal = _appeal(uow, principal, payload)
    correction = _correction(payload)
    base = {"appeal": appeal.id, "correction": correction.value}
    if correction is Correction.RETRACT:
        fact = _wrong_fact(uow, appeal.subject, payload.get("fact"))
        return Prepared(
            subject=appeal.subject,
            jurisdiction=appeal.jurisdiction,
            payload={**base, "subject": appeal.subject, "fact": fact.id, "fact_kind": fact.kind},
        )
    inner = _INNER[correction]
    require(principal, inner.propose_action)
    if correction is Correction.RELEASE:
        wanted: dict[str, Any] = {"rules": payload.get("rules", [])}
    else:
        wanted = {key: payload.get(key) for key in _OVERRIDE_KEYS}
    prepared = inner.prepare(uow, clock, principal, {**wanted, "subject": appeal.subject})
    return Prepared(
        subject=appeal.subject,
        jurisdiction=appeal.jurisdiction,
        payload={**base, **prepared.payload},
    )


def _fact(approval: Approval[AppealsUnitOfWork], appeal: Appeal, correction: Correction) -> Fact:
    """The fact that corrects the colour, as of the approval."""
    proposal, now = approval.proposal, approval.clock.now()
    approver = approval.approver.name or approval.approver.id
    payload = proposal.payload
    if correction is Correction.RETRACT:
        wrong = _wrong_fact(approval.uow, appeal.subject, payload.get("fact"))
        return replace(wrong, id=new_id(), recorded_at=now, supersedes=wrong.id, retracted=True)
    if correction is Correction.RELEASE:
        return Release(
            id=new_id(),
            subject=appeal.subject,
            at=now,
            recorded_at=now,
            rules=tuple(str(r) for r in payload.get("rules", [])),
            reason=f"appeal {appeal.id}: {proposal.reason}",
            approved_by=approver,
        )
    expires_at = datetime.fromisoformat(str(payload["expires_at"]))
    if expires_at <= now:
        raise InvalidInput.one("payload.expires_at", "has passed since it was proposed")
    return ManualOverride(
        id=new_id(),
        subject=appeal.subject,
        at=now,
        recorded_at=now,
        colour=Colour(str(payload["colour"])),
        reason_category=str(payload["reason_category"]),
        reason_text=f"appeal {appeal.id}: {proposal.reason}",
        expires_at=expires_at,
        proposed_by=proposal.proposed_by,
        approved_by=approver,
    )


def _execute(approval: Approval[AppealsUnitOfWork]) -> Mapping[str, Any]:
    uow, proposal = approval.uow, approval.proposal
    appeal = open_appeal(
        uow, approval.approver, str(proposal.payload["appeal"]), Action.APPROVE_APPEAL_ANSWER
    )
    correction = Correction(str(proposal.payload["correction"]))
    if correction in _INNER:
        require(approval.approver, _INNER[correction].approve_action)
    fact = _fact(approval, appeal, correction)
    uow.facts.add(fact)
    status = refresh_status(
        uow,
        clock=approval.clock,
        subject=appeal.subject,
        cause=f"appeal {appeal.id} corrected: {correction.value} {fact.id}",
    )
    decided = decide_in(
        uow,
        clock=approval.clock,
        appeal=appeal,
        decided_by=approval.approver.name or approval.approver.id,
        decision=proposal.reason,
        correction=correction,
        proposal_id=proposal.id,
    )
    return {"appeal": decided.id, "fact": fact.id, "colour": status.colour.value}


ANSWER_APPEAL_KIND = ProposalHandler[AppealsUnitOfWork](
    kind=ANSWER_APPEAL,
    propose_action=Action.PROPOSE_APPEAL_ANSWER,
    approve_action=Action.APPROVE_APPEAL_ANSWER,
    prepare=_prepare,
    execute=_execute,
    description="answer an appeal by correcting the colour: a release, a manual colour, or a "
    "wrong fact taken back",
)
