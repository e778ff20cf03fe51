"""Quarantine orders for officials (a page at a time) and their release by four eyes; what
tracing found about the calling citizen."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from healthcode.api.auth import Authorized, CurrentSubject
from healthcode.api.deps import ContainerDep
from healthcode.api.responses import NOT_FOUND
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.schemas import ProposalOut
from healthcode.tracing.quarantine import (
    MAX_ORDERS_SHOWN,
    my_exposures,
    propose_release,
    quarantine_page,
)
from healthcode.tracing.schemas import ExposureOut, QuarantineOut, ReleaseIn

router = APIRouter(prefix="/api/v1", tags=["tracing"])

ReadsQuarantines = Annotated[Principal, Depends(Authorized(Action.READ_QUARANTINES))]
ProposesReleases = Annotated[Principal, Depends(Authorized(Action.PROPOSE_RELEASE))]


@router.get("/quarantines", response_model=list[QuarantineOut])
def get_quarantines(
    official: ReadsQuarantines,
    container: ContainerDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=MAX_ORDERS_SHOWN)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[QuarantineOut]:
    """Quarantine orders in force or planned in the caller's jurisdiction (released ones not),
    those ending soonest first: the `limit` from `offset` on; `X-Total-Count` says how many
    there are in all. Each person shown is recorded in the access log."""
    page = quarantine_page(
        uow=container.uow(),
        clock=container.clock,
        principal=official,
        limit=limit,
        offset=offset,
    )
    response.headers["X-Total-Count"] = str(page.total)
    return [
        QuarantineOut(
            order_id=v.order.order_id,
            subject=v.order.subject,
            setting=v.order.setting,
            state=v.state,
            starts_at=v.order.at,
            planned_end=v.order.planned_end,
            reason=v.order.reason,
        )
        for v in page.orders
    ]


@router.post(
    "/quarantines/release",
    status_code=status.HTTP_201_CREATED,
    response_model=ProposalOut,
    responses=NOT_FOUND,
)
def release_quarantine(
    body: ReleaseIn, official: ProposesReleases, container: ContainerDep
) -> ProposalOut:
    """Propose releasing a person from their quarantine orders (a different official approves)."""
    proposal = propose_release(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=official,
        subject=body.subject,
        reason=body.reason,
    )
    return ProposalOut.of(proposal)


@router.get("/me/exposures", response_model=list[ExposureOut], tags=["status"])
def get_my_exposures(subject: CurrentSubject, container: ContainerDep) -> list[ExposureOut]:
    """What tracing recorded about you and why: the rule, the place, the case's time there and
    yours, the overlap; retracted ones are marked (the case never named)."""
    return [
        ExposureOut.model_validate(e) for e in my_exposures(uow=container.uow(), subject=subject)
    ]
