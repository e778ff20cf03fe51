"""The authority console (``/console/...``) for officials, supervisors, auditors and admins.
Each page is the same HTML for everyone; its script logs the official in on the API
(``POST /api/v1/officials/login``: password and TOTP) and reads and acts through the JSON API
with that session, so every rule, four-eyes step and access record is the API's own.

This module holds the console's frame: ``console_page`` (used by every console route module)
and the login page. The pages themselves live in the route modules named in ``CONSOLE_PAGES``'s
comments."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from healthcode.api.auth import Public
from healthcode.api.deps import ContainerDep
from healthcode.oversight.access import Action
from healthcode.web.pages import page_language, render

router = APIRouter(
    prefix="/console",
    include_in_schema=False,
    dependencies=[Depends(Public(Action.READ_WEB_PAGE))],
)

CONSOLE_PAGES: tuple[tuple[str, str], ...] = (
    # (path, the key of its name in web/console_texts.py)
    ("/console", "nav_dashboard"),
    ("/console/map", "nav_map"),
    ("/console/cases", "nav_cases"),
    ("/console/inbox", "nav_inbox"),
    ("/console/appeals", "nav_appeals_queue"),
    ("/console/areas", "nav_areas"),
    ("/console/quarantines", "nav_quarantines"),
    ("/console/flagged", "nav_flagged"),
    ("/console/policies", "nav_policies"),
    ("/console/access-log", "nav_access_audit"),
    ("/console/peers", "nav_peers"),
    ("/console/simulations", "sim_nav"),  # web/console_simulations_texts.py
)
"""The console's pages in the order of its navigation."""


def console_page(
    request: Request, container: ContainerDep, template: str, **context: object
) -> HTMLResponse:
    """The console page ``console/{template}`` in the asked language, with the navigation."""
    settings = container.settings
    return render(
        request,
        f"console/{template}",
        lang=page_language(request, settings.language),
        jurisdiction=settings.jurisdiction,
        console_pages=CONSOLE_PAGES,
        **context,
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """An official logs in: username, password and the TOTP code of their authenticator."""
    return console_page(request, container, "login.html")


@router.get("", response_class=HTMLResponse)
def dashboard_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """The dashboard: where the city stands, and what waits for an official."""
    return console_page(request, container, "dashboard.html")


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """The map: risk areas, and cases and exposures per H3 cell, drawn from the cells' own
    boundaries (no tiles), with a table saying the same."""
    return console_page(request, container, "map.html")
