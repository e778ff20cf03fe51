"""The console's administrative pages: risk areas, quarantines and releases, flagged
check-ins, policies, the access log for auditors, and the peer cities for admins. Each is the
same HTML for everyone; its script acts through the JSON API with the official's console
session (``console/session.js``), so every refusal, four-eyes step and access record is the
API's own."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from healthcode.api.auth import Public
from healthcode.api.deps import ContainerDep
from healthcode.oversight.access import Action
from healthcode.web.routes.console import console_page

router = APIRouter(
    prefix="/console",
    include_in_schema=False,
    dependencies=[Depends(Public(Action.READ_WEB_PAGE))],
)


def _page(request: Request, container: ContainerDep, template: str) -> HTMLResponse:
    # the server's time (no one's data): "today" and a form's defaults follow the app's clock
    now = container.clock.now().isoformat()
    return console_page(request, container, template, server_now=now)


@router.get("/areas", response_class=HTMLResponse)
def areas_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """Risk areas: those published, those waiting for a second official, and a new one."""
    return _page(request, container, "areas.html")


@router.get("/quarantines", response_class=HTMLResponse)
def quarantines_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """Quarantine orders with their ends (those ending today first); propose a release."""
    return _page(request, container, "quarantines.html")


@router.get("/flagged", response_class=HTMLResponse)
def flagged_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """Flagged check-ins with why they were flagged; confirm or reject each."""
    return _page(request, container, "flagged.html")


@router.get("/policies", response_class=HTMLResponse)
def policies_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """The policy in force; check a new one, see its impact, propose its activation."""
    return _page(request, container, "policies.html")


@router.get("/access-log", response_class=HTMLResponse)
def access_log_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """For auditors: a person's access log, the break-glass reads, the chain's verification."""
    return _page(request, container, "access_log.html")


@router.get("/peers", response_class=HTMLResponse)
def peers_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """For admins: the peer cities, their trust lists (stale or not), last refusal and
    counts; the proposals to add or remove one, approved here by a second admin."""
    return _page(request, container, "peers.html")
