"""Appeals over HTTP: a citizen files and reads their own; officials read the queue, one
appeal, and uphold. A correction is an ``answer_appeal`` proposal (``POST /proposals``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from healthcode.api.auth import Authorized, CurrentCitizen
from healthcode.api.deps import ContainerDep
from healthcode.api.responses import CONFLICT
from healthcode.api.types import Identifier
from healthcode.appeals import decisions, filing, queue
from healthcode.appeals.schemas import AppealIn, AppealOut, UpholdIn
from healthcode.oversight.access import Action, Principal

router = APIRouter(prefix="/api/v1", tags=["appeals"])

ReadsAppeals = Annotated[Principal, Depends(Authorized(Action.READ_APPEALS))]
Upholds = Annotated[Principal, Depends(Authorized(Action.UPHOLD_APPEAL))]


@router.post(
    "/me/appeals", status_code=status.HTTP_201_CREATED, response_model=AppealOut, responses=CONFLICT
)
def file_appeal(body: AppealIn, citizen: CurrentCitizen, container: ContainerDep) -> AppealOut:
    """Dispute your current colour (yellow or red) with a reason and optionally a test
    reference. It is answered by `due_at`. 409 when your code is green or an appeal of yours
    is still open."""
    appeal = filing.file_appeal(
        uow=container.uow(), clock=container.clock, principal=citizen, filing=body.filing()
    )
    return AppealOut.of(appeal, container.clock.now())


@router.get("/me/appeals", response_model=list[AppealOut])
def my_appeals(citizen: CurrentCitizen, container: ContainerDep) -> list[AppealOut]:
    """Your appeals, oldest first, with their answers."""
    now = container.clock.now()
    found = filing.my_appeals(uow=container.uow(), principal=citizen)
    return [AppealOut.of(a, now) for a in found]


@router.get("/appeals", response_model=list[AppealOut])
def appeal_queue(
    official: ReadsAppeals, container: ContainerDep, include_decided: bool = False
) -> list[AppealOut]:
    """Appeals of your jurisdiction (and district), soonest deadline first; `overdue` flags
    those past it. Open ones only unless `include_decided`."""
    now = container.clock.now()
    found = queue.appeal_queue(
        uow=container.uow(),
        clock=container.clock,
        principal=official,
        open_only=not include_decided,
    )
    return [AppealOut.of(a, now) for a in found]


@router.get("/appeals/{appeal_id}", response_model=AppealOut)
def get_appeal(appeal_id: Identifier, official: ReadsAppeals, container: ContainerDep) -> AppealOut:
    """One appeal and its answer."""
    appeal = queue.get_appeal(
        uow=container.uow(), clock=container.clock, principal=official, appeal_id=appeal_id
    )
    return AppealOut.of(appeal, container.clock.now())


@router.post("/appeals/{appeal_id}/uphold", response_model=AppealOut, responses=CONFLICT)
def uphold(
    appeal_id: Identifier, body: UpholdIn, official: Upholds, container: ContainerDep
) -> AppealOut:
    """Answer that the colour stands, saying why. 409 once the appeal is answered."""
    appeal = decisions.uphold_appeal(
        uow=container.uow(),
        clock=container.clock,
        principal=official,
        appeal_id=appeal_id,
        reason=body.reason,
    )
    return AppealOut.of(appeal, container.clock.now())
