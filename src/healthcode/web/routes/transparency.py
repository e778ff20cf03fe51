"""The public transparency page (``/transparency``): the report rendered on the server, the
same counts as ``GET /api/v1/transparency``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from healthcode.api.auth import Public
from healthcode.api.deps import ContainerDep
from healthcode.oversight.access import Action
from healthcode.sunset.purge import final_report
from healthcode.transparency.report import transparency_report
from healthcode.transparency.schemas import TransparencyOut
from healthcode.web.pages import hours, page_language, render

router = APIRouter(
    include_in_schema=False, dependencies=[Depends(Public(Action.READ_TRANSPARENCY))]
)


@router.get("/transparency", response_class=HTMLResponse)
def transparency_page(
    request: Request,
    container: ContainerDep,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
    whole: bool = False,
    final: bool = False,
) -> HTMLResponse:
    """The transparency report for a period (by default the last 30 days; ``whole``: since
    the instance's first record; ``final``: the sunset's final report, once kept)."""
    settings = container.settings
    kept = final_report(uow=container.uow())
    if final and kept is not None:
        out = TransparencyOut.model_validate(kept)
    else:
        report = transparency_report(
            uow=container.uow(), clock=container.clock, first=first, last=last, whole=whole
        )
        out = TransparencyOut.of(report)
    return render(
        request,
        "transparency.html",
        lang=page_language(request, settings.language),
        jurisdiction=settings.jurisdiction,
        r=out,
        final=final and kept is not None,
        has_final=kept is not None,
        hours=hours,
    )
