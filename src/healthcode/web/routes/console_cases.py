"""The console's casework pages: cases (report, the list by state), one case (its tracing
preview, the contacts found with their evidence, masked, and the four-eyes steps: confirm,
correct, withdraw and its approval, revealing a contact's phone for a stated purpose), the
four-eyes inbox, and the appeals queue. Each is the same HTML for everyone; its script reads
and acts through the JSON API with the official's session (``web/static/js/console/``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from healthcode.api.auth import Public
from healthcode.api.deps import ContainerDep
from healthcode.api.types import Identifier
from healthcode.oversight.access import Action
from healthcode.web.routes.console import console_page

router = APIRouter(
    prefix="/console",
    include_in_schema=False,
    dependencies=[Depends(Public(Action.READ_WEB_PAGE))],
)


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """Cases of the official's jurisdiction by state, and the form to report one."""
    return console_page(request, container, "cases.html")


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: Identifier, request: Request, container: ContainerDep) -> HTMLResponse:
    """One case: details, tracing preview, contacts, and what the official may do with it."""
    return console_page(request, container, "case.html", case_id=case_id)


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """The four-eyes inbox: proposals waiting for a second official."""
    return console_page(request, container, "inbox.html")


@router.get("/appeals", response_class=HTMLResponse)
def appeals_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """The appeals queue, soonest deadline first, overdue ones flagged."""
    return console_page(request, container, "appeals.html")
