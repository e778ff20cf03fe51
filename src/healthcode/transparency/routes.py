"""The transparency report over HTTP, for auditors and anyone: counts only, no one named."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from healthcode.api.auth import Public
from healthcode.api.deps import ContainerDep
from healthcode.oversight.access import Action
from healthcode.transparency.report import transparency_report
from healthcode.transparency.schemas import TransparencyOut

router = APIRouter(prefix="/api/v1", tags=["transparency"])

FromQuery = Annotated[
    date | None, Query(alias="from", description="The first day (UTC); default 29 days before to")
]
ToQuery = Annotated[
    date | None, Query(alias="to", description="The last day (UTC, inclusive); default today")
]
WholeQuery = Annotated[
    bool,
    Query(description="From the instance's first record (the whole emergency), not from `from`"),
]


@router.get(
    "/transparency",
    response_model=TransparencyOut,
    dependencies=[Depends(Public(Action.READ_TRANSPARENCY))],
)
def transparency(
    container: ContainerDep,
    first: FromQuery = None,
    last: ToQuery = None,
    whole: WholeQuery = False,
) -> TransparencyOut:
    """What the system did in a period: people by colour per day, data held and purged, reads
    by role and purpose, unmaskings, overrides by health reason, appeals and their turnaround,
    and break-glass uses. Counts only: no one is named. ``whole``: since the instance's
    first record, however long; 422 if ``to`` is before ``from`` or the dates span more than
    ten years."""
    report = transparency_report(
        uow=container.uow(), clock=container.clock, first=first, last=last, whole=whole
    )
    return TransparencyOut.of(report)
