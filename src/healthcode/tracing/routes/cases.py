"""Cases: report, confirm, correct and withdraw by four eyes, the tracing preview, and the
people a case's tracing found (masked; a number shown for a stated purpose)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from healthcode.api.auth import Authorized
from healthcode.api.deps import ContainerDep
from healthcode.api.responses import CONFLICT, NOT_FOUND
from healthcode.api.types import Identifier
from healthcode.kernel.budget import TimeBudget
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.model import ProposalStatus
from healthcode.oversight.schemas import DecisionIn, ProposalOut
from healthcode.tracing import cases
from healthcode.tracing.cases import CaseView
from healthcode.tracing.contacts import MAX_CONTACTS, case_contacts
from healthcode.tracing.model.cases import CaseState
from healthcode.tracing.schemas import (
    CaseContactsOut,
    CaseIn,
    CaseOut,
    CorrectionIn,
    PreviewOut,
    RevealedPhoneOut,
    RevealIn,
    WithdrawalIn,
)
from healthcode.tracing.unmask import reveal_phone

router = APIRouter(prefix="/api/v1", tags=["tracing"])

ReportsCases = Annotated[Principal, Depends(Authorized(Action.PROPOSE_CASE))]
ReadsCases = Annotated[Principal, Depends(Authorized(Action.READ_CASES))]
ConfirmsCases = Annotated[Principal, Depends(Authorized(Action.APPROVE_CASE))]
ProposesWithdrawals = Annotated[Principal, Depends(Authorized(Action.PROPOSE_WITHDRAWAL))]
ApprovesWithdrawals = Annotated[Principal, Depends(Authorized(Action.APPROVE_WITHDRAWAL))]
Previews = Annotated[Principal, Depends(Authorized(Action.PREVIEW_TRACING))]
RevealsContacts = Annotated[Principal, Depends(Authorized(Action.REVEAL_CONTACT))]


def _case_out(view: CaseView) -> CaseOut:
    r, d = view.record, view.record.details
    pending, withdrawal = view.pending, view.withdrawal
    waiting = view.pending_withdrawal
    return CaseOut(
        case_id=r.case_id,
        subject=d.subject,
        state=view.state.value,
        version=r.version,
        classification=d.classification.value,
        sampled_at=d.sampled_at,
        onset_at=d.onset_at,
        isolated_at=d.isolated_at,
        test_reference=d.test_reference,
        reported_by=r.reported_by,
        reported_at=r.reported_at,
        confirmed_by=r.confirmed_by,
        confirmed_at=r.confirmed_at,
        withdrawn_by=r.withdrawn_by,
        withdrawn_at=r.withdrawn_at,
        withdrawal_reason=r.withdrawal_reason,
        withdrawal_proposed_by=None if withdrawal is None else withdrawal.proposed_by,
        traced_at=r.traced_at,
        trace_counts=dict(r.trace_counts),
        exposures=r.exposures,
        pending_proposal=None if pending is None else pending.id,
        pending_withdrawal=None if waiting is None else waiting.id,
    )


@router.post(
    "/cases", status_code=status.HTTP_201_CREATED, response_model=ProposalOut, responses=NOT_FOUND
)
def report_case(body: CaseIn, official: ReportsCases, container: ContainerDep) -> ProposalOut:
    """Report a case: a proposal a different official confirms (`payload.case_id` names it)."""
    proposal = cases.report_case(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=official,
        report=body.report(),
        reason=body.reason,
    )
    return ProposalOut.of(proposal)


@router.get("/cases", response_model=list[CaseOut])
def list_cases(
    official: ReadsCases, container: ContainerDep, state: CaseState | None = None
) -> list[CaseOut]:
    """Cases of the caller's jurisdiction, oldest report first (filter by `state`)."""
    found = cases.list_cases(
        uow=container.uow(), clock=container.clock, principal=official, state=state
    )
    return [_case_out(v) for v in found]


@router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(case_id: Identifier, official: ReadsCases, container: ContainerDep) -> CaseOut:
    """One case: its details, state, who reported and confirmed it, what tracing found."""
    return _case_out(
        cases.get_case(
            uow=container.uow(), clock=container.clock, principal=official, case_id=case_id
        )
    )


@router.get("/cases/{case_id}/preview", response_model=PreviewOut)
def preview_case(case_id: Identifier, official: Previews, container: ContainerDep) -> PreviewOut:
    """How many people each tracing rule would flag (for a pending report or correction: as if
    confirmed now). Nothing is recorded."""
    found = cases.preview_case(
        uow=container.uow(),
        clock=container.clock,
        principal=official,
        case_id=case_id,
        budget=TimeBudget(container.settings.preview_budget_seconds),
    )
    return PreviewOut.model_validate(found)


@router.post("/cases/{case_id}/confirm", response_model=ProposalOut, responses=CONFLICT)
def confirm_case(
    case_id: Identifier, body: DecisionIn, approver: ConfirmsCases, container: ContainerDep
) -> ProposalOut:
    """Confirm the case's pending report or correction (never your own); tracing follows."""
    decided = cases.confirm_case(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=approver,
        case_id=case_id,
        note=body.note,
    )
    return ProposalOut.of(decided)


@router.post(
    "/cases/{case_id}/corrections",
    status_code=status.HTTP_201_CREATED,
    response_model=ProposalOut,
    responses=CONFLICT,
)
def correct_case(
    case_id: Identifier, body: CorrectionIn, official: ReportsCases, container: ContainerDep
) -> ProposalOut:
    """Propose corrected details of a confirmed case (a different official confirms)."""
    proposal = cases.correct_case(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=official,
        case_id=case_id,
        correction=body.correction(),
        reason=body.reason,
    )
    return ProposalOut.of(proposal)


@router.post(
    "/cases/{case_id}/withdraw",
    status_code=status.HTTP_201_CREATED,
    response_model=ProposalOut,
    responses={
        200: {
            "model": ProposalOut,
            "description": "A pending report was rejected (a single decision)",
        },
        **CONFLICT,
    },
)
def withdraw_case(
    case_id: Identifier,
    body: WithdrawalIn,
    official: ProposesWithdrawals,
    container: ContainerDep,
    response: Response,
) -> ProposalOut:
    """Withdraw a case, saying why. For a confirmed case this proposes the withdrawal (201, a
    `withdraw_case` proposal): nothing changes until a different official approves it at
    `/cases/{id}/withdrawal/approve` (or `/proposals/{id}/approve`). A pending report is
    rejected at once by a supervisor (200, the rejected report)."""
    proposal = cases.withdraw_case(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=official,
        case_id=case_id,
        reason=body.reason,
    )
    if proposal.status is not ProposalStatus.PENDING:
        response.status_code = status.HTTP_200_OK
    return ProposalOut.of(proposal)


@router.post("/cases/{case_id}/withdrawal/approve", response_model=ProposalOut, responses=CONFLICT)
def approve_withdrawal(
    case_id: Identifier, body: DecisionIn, approver: ApprovesWithdrawals, container: ContainerDep
) -> ProposalOut:
    """Approve the case's pending withdrawal (never your own proposal): the case is retracted
    and tracing again undoes every exposure and quarantine order that followed from it."""
    decided = cases.approve_withdrawal(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=approver,
        case_id=case_id,
        note=body.note,
    )
    return ProposalOut.of(decided)


@router.get("/cases/{case_id}/contacts", response_model=CaseContactsOut)
def get_case_contacts(
    case_id: Identifier,
    official: ReadsCases,
    container: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=MAX_CONTACTS)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CaseContactsOut:
    """The people the case's tracing found (`limit` of them from `offset` on, in the order
    tracing recorded them; `total` in all), masked, each with what it recorded about them and
    the evidence; each one shown is recorded in the access log."""
    found = case_contacts(
        uow=container.uow(),
        clock=container.clock,
        principal=official,
        case_id=case_id,
        limit=limit,
        offset=offset,
    )
    return CaseContactsOut.model_validate(found)


@router.post("/cases/{case_id}/contacts/{subject}/phone", response_model=RevealedPhoneOut)
def reveal_contact_phone(
    case_id: Identifier,
    subject: Identifier,
    body: RevealIn,
    official: RevealsContacts,
    container: ContainerDep,
) -> RevealedPhoneOut:
    """A contact's phone number in clear, to call them, for a stated purpose: only for a person
    the case's tracing touched (else 403), a case in your scope (else 404); the contact sees
    the read and its purpose in their access log."""
    revealed = reveal_phone(
        uow=container.uow(),
        clock=container.clock,
        principal=official,
        case_id=case_id,
        subject=subject,
        purpose=body.purpose,
    )
    return RevealedPhoneOut(**vars(revealed))
