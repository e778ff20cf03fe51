"""Four-eyes proposals (propose, list, approve, reject) and the access log (auditors)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from healthcode.api.auth import Authorized, Public
from healthcode.api.deps import ContainerDep
from healthcode.api.responses import CONFLICT, NOT_FOUND, SIGNED
from healthcode.api.types import Identifier, RequestTime
from healthcode.codes.audit_anchor import anchor_document
from healthcode.oversight import proposals
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.audit import access_log_of, break_glass_log, verify_access_log
from healthcode.oversight.model import ProposalStatus
from healthcode.oversight.schemas import (
    AccessRecordOut,
    AuditAnchorOut,
    BreakGlassOut,
    DecisionIn,
    ProposalIn,
    ProposalOut,
    VerificationOut,
)

router = APIRouter(prefix="/api/v1", tags=["officials"])


Proposes = Annotated[Principal, Depends(Authorized(Action.PROPOSE))]


Decides = Annotated[Principal, Depends(Authorized(Action.DECIDE_PROPOSAL))]


ListsProposals = Annotated[Principal, Depends(Authorized(Action.LIST_PROPOSALS))]


ReadsAccessLogs = Annotated[Principal, Depends(Authorized(Action.READ_ACCESS_LOG))]


VerifiesAuditLog = Annotated[Principal, Depends(Authorized(Action.VERIFY_AUDIT_LOG))]


@router.post(
    "/proposals",
    status_code=status.HTTP_201_CREATED,
    response_model=ProposalOut,
    responses={**NOT_FOUND, **CONFLICT},
)
def propose(body: ProposalIn, official: Proposes, container: ContainerDep) -> ProposalOut:
    """Propose a change that needs a second pair of eyes (nothing happens until approved)."""
    proposal = proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=official,
        action=body.action,
        payload=body.payload,
        reason=body.reason,
    )
    return ProposalOut.of(proposal)


@router.get("/proposals", response_model=list[ProposalOut])
def list_proposals(
    official: ListsProposals, container: ContainerDep, status: ProposalStatus | None = None
) -> list[ProposalOut]:
    """Proposals of the caller's jurisdiction, oldest first (filter by `status`)."""
    found = proposals.list_proposals(
        uow=container.uow(), clock=container.clock, principal=official, status=status
    )
    return [ProposalOut.of(p) for p in found]


@router.get("/proposals/{proposal_id}", response_model=ProposalOut)
def get_proposal(
    proposal_id: Identifier, official: ListsProposals, container: ContainerDep
) -> ProposalOut:
    """One proposal and its decision."""
    return ProposalOut.of(
        proposals.get_proposal(
            uow=container.uow(),
            clock=container.clock,
            principal=official,
            proposal_id=proposal_id,
        )
    )


@router.post("/proposals/{proposal_id}/approve", response_model=ProposalOut, responses=CONFLICT)
def approve(
    proposal_id: Identifier, body: DecisionIn, approver: Decides, container: ContainerDep
) -> ProposalOut:
    """Approve and carry out a proposal (never your own)."""
    decided = proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=approver,
        proposal_id=proposal_id,
        note=body.note,
    )
    return ProposalOut.of(decided)


@router.post("/proposals/{proposal_id}/reject", response_model=ProposalOut, responses=CONFLICT)
def reject(
    proposal_id: Identifier, body: DecisionIn, approver: Decides, container: ContainerDep
) -> ProposalOut:
    """Reject a proposal, saying why (`note`)."""
    decided = proposals.reject(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=approver,
        proposal_id=proposal_id,
        note=body.note,
    )
    return ProposalOut.of(decided)


@router.get("/audit/access-log/{subject}", response_model=list[AccessRecordOut])
def person_access_log(
    subject: Identifier, auditor: ReadsAccessLogs, container: ContainerDep
) -> list[AccessRecordOut]:
    """Who read a person's data (auditors; this read is itself recorded)."""
    records = access_log_of(
        uow=container.uow(), clock=container.clock, principal=auditor, subject=subject
    )
    return [
        AccessRecordOut(
            seq=r.seq, at=r.at, actor=r.actor, role=r.role, purpose=r.purpose, what=r.what
        )
        for r in records
    ]


@router.get("/audit/break-glass", response_model=list[BreakGlassOut])
def break_glass_uses(
    auditor: ReadsAccessLogs,
    container: ContainerDep,
    start: Annotated[RequestTime, Query(alias="from", description="From (ISO 8601, with a zone)")],
    end: Annotated[RequestTime, Query(alias="to", description="Until, excluded")],
) -> list[BreakGlassOut]:
    """The operator's break-glass reads in `[from, to)`, with their reasons (auditors): each
    person read is also in their access log with role `break_glass`."""
    uses = break_glass_log(uow=container.uow(), principal=auditor, start=start, end=end)
    return [
        BreakGlassOut(at=u.at, operator=u.operator, what=u.what, people=u.people, reason=u.reason)
        for u in uses
    ]


@router.get("/audit/verify", response_model=VerificationOut)
def verify_audit(auditor: VerifiesAuditLog, container: ContainerDep) -> VerificationOut:
    """Check the access log's hash chain; names the first record edited, inserted or removed."""
    result = verify_access_log(uow=container.uow(), principal=auditor)
    problem = result.problem
    return VerificationOut(
        intact=result.intact,
        records=result.records,
        problem=None if problem is None else str(problem),
        first_bad_record=None if problem is None else problem.seq,
        kind=None if problem is None else problem.kind,
    )


@router.get(
    "/audit/anchor",
    dependencies=[Depends(Public(Action.READ_AUDIT_ANCHOR))],
    responses={200: {"model": AuditAnchorOut, "description": "The signed anchor"}, **SIGNED},
)
def audit_anchor(container: ContainerDep) -> Response:
    """The access log's head now (record number and MAC), signed by the root key: auditors keep
    copies and `healthcode audit verify --anchor` finds the log cut back behind any of them."""
    document = anchor_document(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction=container.settings.jurisdiction,
    )
    return Response(document, media_type="application/json")
