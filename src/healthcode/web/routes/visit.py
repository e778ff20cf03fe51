"""A visitor's check-in page (``/visit``): a resident of a peer city checks in at this city's
venues on their own city's code (``POST /api/v1/visitors/checkins``); they have no account
here, so the page needs no login."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from healthcode.api.auth import Public
from healthcode.api.deps import ContainerDep
from healthcode.oversight.access import Action
from healthcode.web.pages import city_name, page_language, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(Public(Action.READ_WEB_PAGE))])


@router.get("/visit", response_class=HTMLResponse)
def visit_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """The place code by camera or typed, sent with the visitor's home code (brought in the
    address's fragment by their own city's code page, or pasted) and the phone's position."""
    settings = container.settings
    lang = page_language(request, settings.language)
    return render(
        request,
        "visit.html",
        lang=lang,
        jurisdiction=settings.jurisdiction,
        city=city_name(settings.jurisdiction, lang),
    )
