"""The console's simulations page: the simulator's reports in the instance's folder of reports,
and one report's table and plots (``?report=NAME``). The same HTML for everyone; its script
reads ``GET /api/v1/simulations`` with the official's console session."""

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


@router.get("/simulations", response_class=HTMLResponse)
def simulations_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """The simulator's reports, newest first; a report's table and plots."""
    return console_page(request, container, "simulations.html")
