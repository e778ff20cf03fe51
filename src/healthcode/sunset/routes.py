"""The sunset over HTTP: an admin proposes it or a reactivation, admins and auditors approve
(the four-eyes use cases, the sunset's two kinds only), and anyone reads the instance's state
with its final transparency report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from healthcode.api.auth import Authorized, Public
from healthcode.api.deps import ContainerDep
from healthcode.api.responses import CONFLICT
from healthcode.api.types import Identifier
from healthcode.oversight import proposals
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.kinds import ProposalKinds
from healthcode.oversight.schemas import DecisionIn, ProposalOut
from healthcode.sunset.kinds import REACTIVATE, SUNSET, SUNSET_HANDLERS
from healthcode.sunset.purge import instance_state
from healthcode.sunset.schemas import ReactivationIn, SunsetIn, SunsetOut

router = APIRouter(prefix="/api/v1", tags=["sunset"])

Proposes = Annotated[Principal, Depends(Authorized(Action.PROPOSE))]
Decides = Annotated[Principal, Depends(Authorized(Action.DECIDE_PROPOSAL))]


@router.get(
    "/sunset",
    response_model=SunsetOut,
    dependencies=[Depends(Public(Action.READ_TRANSPARENCY))],
)
def sunset_state(container: ContainerDep) -> SunsetOut:
    """Whether the instance collects or is retired, when its personal data is purged, and the
    final transparency report once it is. Counts only: no one is named."""
    return SunsetOut.of(instance_state(uow=container.uow()))


@router.post(
    "/sunset", status_code=status.HTTP_201_CREATED, response_model=ProposalOut, responses=CONFLICT
)
def propose_sunset(body: SunsetIn, admin: Proposes, container: ContainerDep) -> ProposalOut:
    """Propose to end the emergency (admins): another admin and an auditor must approve."""
    proposal = proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=admin,
        action=SUNSET,
        payload={"grace_days": body.grace_days},
        reason=body.reason,
    )
    return ProposalOut.of(proposal)


@router.post(
    "/sunset/reactivation",
    status_code=status.HTTP_201_CREATED,
    response_model=ProposalOut,
    responses=CONFLICT,
)
def propose_reactivation(
    body: ReactivationIn, admin: Proposes, container: ContainerDep
) -> ProposalOut:
    """Propose to activate a retired instance again (admins): a second admin must approve."""
    proposal = proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=admin,
        action=REACTIVATE,
        payload={},
        reason=body.reason,
    )
    return ProposalOut.of(proposal)


@router.post("/sunset/{proposal_id}/approve", response_model=ProposalOut, responses=CONFLICT)
def approve_sunset(
    proposal_id: Identifier, body: DecisionIn, approver: Decides, container: ContainerDep
) -> ProposalOut:
    """Approve a sunset or a reactivation (never your own; a sunset takes an admin's and an
    auditor's approval). Any other kind of proposal is refused (422 on ``action``)."""
    decided = proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=ProposalKinds(SUNSET_HANDLERS),
        principal=approver,
        proposal_id=proposal_id,
        note=body.note,
    )
    return ProposalOut.of(decided)
