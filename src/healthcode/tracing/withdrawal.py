"""Withdrawing a confirmed case, by four eyes: the ``withdraw_case`` kind of proposal.

Withdrawing a confirmed case lifts the exposures and quarantine orders of everyone traced from
it at once — the same harm class as a release from quarantine — so one official proposes it
with a reason and a different one (a supervisor) approves it. Approving, in the approval's
transaction: the case fact is retracted, the person reassessed, pending corrections of the case
rejected, and tracing queued, which retracts every exposure and order that followed from it.

(Withdrawing a *pending report* is not this: it rejects a proposal that never took effect, a
single decision — see ``cases.withdraw_case``.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput, NotFound
from healthcode.kernel.facts import Case
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.kinds import Approval, Prepared, ProposalHandler
from healthcode.oversight.model import Proposal, ProposalKind, ProposalStatus
from healthcode.status.assessment import refresh_status
from healthcode.tracing.model.cases import CaseRecord, CaseState
from healthcode.tracing.model.findings import fact_id
from healthcode.tracing.ports import TracingUnitOfWork
from healthcode.tracing.trace import queue_trace

CONFIRM_CASE: Final = ProposalKind.CONFIRM_CASE.value
WITHDRAW_CASE: Final = ProposalKind.WITHDRAW_CASE.value


def case_proposals(uow: TracingUnitOfWork, record: CaseRecord) -> list[Proposal]:
    """The case's proposals (report, corrections, withdrawals), oldest first."""
    return uow.proposals.for_cases([record.case_id])[record.case_id]


def reject_pending(
    uow: TracingUnitOfWork,
    record: CaseRecord,
    *,
    kinds: frozenset[str],
    by: Principal,
    at: datetime,
) -> list[Proposal]:
    """Reject the case's pending proposals of these kinds (the case was withdrawn); returns
    them as decided."""
    note = f"case withdrawn: {record.withdrawal_reason}"
    rejected: list[Proposal] = []
    for pending in case_proposals(uow, record):
        if pending.kind in kinds and pending.status is ProposalStatus.PENDING:
            decided = replace(
                pending,
                status=ProposalStatus.REJECTED,
                decided_by=by.name or by.id,
                decided_by_role=by.role.value,
                decided_at=at,
                decision_note=note,
            )
            uow.proposals.save_decision(decided)
            rejected.append(decided)
    return rejected


def _prepare(
    uow: TracingUnitOfWork, _clock: Clock, principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    case_id = payload.get("case_id")
    if not isinstance(case_id, str) or not case_id:
        raise InvalidInput.one("payload.case_id", "is required: the case to withdraw")
    record = uow.cases.get(case_id, for_update=True)  # one withdrawal proposal at a time
    if record is None or (
        principal.jurisdiction is not None and record.jurisdiction != principal.jurisdiction
    ):
        raise NotFound("case", case_id)
    if record.state is not CaseState.CONFIRMED:
        raise Conflict(
            "payload.case_id",
            f"only a confirmed case is withdrawn by four eyes; it is {record.state.value}",
        )
    waiting = [
        p
        for p in case_proposals(uow, record)
        if p.kind == WITHDRAW_CASE and p.status is ProposalStatus.PENDING
    ]
    if waiting:
        raise Conflict("case", f"a withdrawal is already waiting for approval ({waiting[0].id})")
    return Prepared(
        subject=record.subject,
        case_id=case_id,
        jurisdiction=record.jurisdiction,
        payload={"case_id": case_id, "version": record.version},
    )


def _execute(approval: Approval[TracingUnitOfWork]) -> Mapping[str, Any]:
    uow, clock, proposal = approval.uow, approval.clock, approval.proposal
    case_id = str(proposal.payload["case_id"])
    record = uow.cases.get(case_id, for_update=True)
    if record is None:
        raise NotFound("case", case_id)
    if record.state is not CaseState.CONFIRMED:
        raise Conflict("case", f"the case is {record.state.value}")
    now = clock.now()
    approver = approval.approver
    record = replace(
        record,
        state=CaseState.WITHDRAWN,
        withdrawn_by=approver.name or approver.id,
        withdrawn_at=now,
        withdrawal_reason=proposal.reason,
    )
    reject_pending(uow, record, kinds=frozenset({CONFIRM_CASE}), by=approver, at=now)
    colour = None
    if record.case_fact_id is not None:
        d = record.details
        uow.facts.add(
            Case(
                id=fact_id("retract", record.case_fact_id),
                subject=d.subject,
                at=record.confirmed_at or now,
                recorded_at=now,
                supersedes=record.case_fact_id,
                retracted=True,
                case_id=case_id,
                classification=d.classification.value,
                sampled_at=d.sampled_at,
                onset_at=d.onset_at,
            )
        )
        status = refresh_status(
            uow,
            clock=clock,
            subject=d.subject,
            # the typed reason stays in the (encrypted) case record: the history is in clear
            cause=f"correction: case {case_id} withdrawn",
        )
        colour = status.colour.value
    uow.cases.save(record)
    queue_trace(uow, clock, record)
    return {"case_id": case_id, "state": record.state.value, "colour": colour}


WITHDRAWAL_HANDLER: Final = ProposalHandler[TracingUnitOfWork](
    kind=WITHDRAW_CASE,
    propose_action=Action.PROPOSE_WITHDRAWAL,
    approve_action=Action.APPROVE_WITHDRAWAL,
    prepare=_prepare,
    execute=_execute,
    description="withdraw a confirmed case; tracing again retracts everything that followed",
)
