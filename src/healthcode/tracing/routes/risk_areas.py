"""Risk areas: proposed and ended early by four eyes, and the published list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from healthcode.api.auth import Authorized, Public
from healthcode.api.deps import ContainerDep
from healthcode.api.responses import CONFLICT
from healthcode.api.types import Identifier
from healthcode.oversight import proposals
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.model import ProposalKind
from healthcode.oversight.schemas import ProposalOut
from healthcode.tracing.risk_areas import list_risk_areas
from healthcode.tracing.schemas import AreaEndIn, RiskAreaIn, RiskAreaOut

router = APIRouter(prefix="/api/v1", tags=["tracing"])

ProposesAreas = Annotated[Principal, Depends(Authorized(Action.PROPOSE_RISK_AREA))]


@router.post("/risk-areas", status_code=status.HTTP_201_CREATED, response_model=ProposalOut)
def propose_risk_area(
    body: RiskAreaIn, official: ProposesAreas, container: ContainerDep
) -> ProposalOut:
    """Propose a risk area (a different official approves it at `/proposals/{id}/approve`)."""
    proposal = proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=official,
        action=ProposalKind.DECLARE_RISK_AREA.value,
        payload={
            "name": body.name,
            "level": body.level,
            "cells": body.cells,
            "venues": body.venues,
            "starts_at": body.starts_at.isoformat(),
            "ends_at": body.ends_at.isoformat(),
        },
        reason=body.reason,
    )
    return ProposalOut.of(proposal)


@router.post(
    "/risk-areas/{area_id}/end",
    status_code=status.HTTP_201_CREATED,
    response_model=ProposalOut,
    responses=CONFLICT,
)
def propose_area_end(
    area_id: Identifier, body: AreaEndIn, official: ProposesAreas, container: ContainerDep
) -> ProposalOut:
    """Propose ending a risk area now (409 once it has ended): a different official approves
    at `/proposals/{id}/approve`, and the area ends then; what its window found stays."""
    proposal = proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=official,
        action=ProposalKind.END_RISK_AREA.value,
        payload={"risk_area": area_id},
        reason=body.reason,
    )
    return ProposalOut.of(proposal)


@router.get(
    "/risk-areas",
    response_model=list[RiskAreaOut],
    dependencies=[Depends(Public(Action.READ_RISK_AREAS))],
)
def get_risk_areas(container: ContainerDep, include_past: bool = False) -> list[RiskAreaOut]:
    """The published risk areas of this jurisdiction (those not over yet, unless
    `include_past`): public, as the cities published them."""
    areas = list_risk_areas(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        active_only=not include_past,
    )
    return [
        RiskAreaOut(
            id=a.id,
            name=a.name,
            level=a.level,
            cells=list(a.cells),
            venues=list(a.venues),
            starts_at=a.starts_at,
            ends_at=a.ends_at,
            declared_at=a.declared_at,
        )
        for a in areas
    ]
