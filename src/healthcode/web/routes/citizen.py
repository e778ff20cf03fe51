"""The citizen's pages (``/citizen/...``): the code, the declarations, the records. Each page
is the same HTML for everyone; its script signs in on the website API (``/api/v1/website/...``)
and reads and writes the citizen's data through ``/api/v1/me/...`` with that session."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse

from healthcode.api.auth import Public
from healthcode.api.deps import ContainerDep
from healthcode.federation.peers import peer_sites
from healthcode.oversight.access import Action
from healthcode.web.pages import STATIC, city_name, page_language, render
from healthcode.web.texts import SYMPTOMS

router = APIRouter(
    prefix="/citizen",
    include_in_schema=False,
    dependencies=[Depends(Public(Action.READ_WEB_PAGE))],
)


def _page(
    request: Request, container: ContainerDep, template: str, **context: object
) -> HTMLResponse:
    settings = container.settings
    return render(
        request,
        f"citizen/{template}",
        lang=page_language(request, settings.language),
        jurisdiction=settings.jurisdiction,
        **context,
    )


@router.get("", response_class=HTMLResponse)
def code_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """The code: a QR drawn in the browser in its colour's frame, and why it has that colour;
    a link to each peer city's visitor check-in, carrying the code shown (docs/web.md)."""
    lang = page_language(request, container.settings.language)
    visits = [
        (city_name(p.jurisdiction, lang), p.base_url) for p in peer_sites(uow=container.uow())
    ]
    return _page(request, container, "code.html", visits=visits)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """Logging in with phone and password."""
    return _page(request, container, "login.html")


@router.get("/sign-up", response_class=HTMLResponse)
def sign_up_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """Signing up: a code by text message, then the registration and a password."""
    return _page(request, container, "sign_up.html")


@router.get("/declare", response_class=HTMLResponse)
def declare_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """The health and travel declarations, and the status they lead to."""
    return _page(request, container, "declare.html", symptoms=SYMPTOMS)


@router.get("/history", response_class=HTMLResponse)
def history_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """Every change of colour, newest first, with its reasons."""
    return _page(request, container, "records.html", kind="history", heading="history_title")


@router.get("/exposures", response_class=HTMLResponse)
def exposures_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """What tracing recorded about me, with its evidence (never who the case was)."""
    return _page(request, container, "records.html", kind="exposures", heading="exposures_title")


@router.get("/access-log", response_class=HTMLResponse)
def access_log_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """Who read my data: each read of it by someone else, and why."""
    return _page(request, container, "records.html", kind="access", heading="access_title")


@router.get("/check-in", response_class=HTMLResponse)
def check_in_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """Checking in at a venue: its place code read by the camera (or typed), then sent."""
    return _page(request, container, "check_in.html")


@router.get("/from-channel", response_class=HTMLResponse)
def from_channel_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """A partner app opens the pages signed in: its assertion, in the address's fragment (never
    sent here), is turned into a session by the page's script, which then opens the code."""
    return _page(request, container, "from_channel.html")


@router.get("/appeals", response_class=HTMLResponse)
def appeals_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """Disputing my colour: the form that files an appeal, and my appeals with their answers."""
    return _page(request, container, "appeals.html")


@router.get("/my-data", response_class=HTMLResponse)
def my_data_page(request: Request, container: ContainerDep) -> HTMLResponse:
    """My rights over my data: download all of it, close my account."""
    return _page(request, container, "my_data.html")


@router.get("/sw.js", response_class=FileResponse)
async def service_worker() -> FileResponse:
    """The pages' service worker, allowed the scope ``/citizen`` (the code page opens offline)."""
    return FileResponse(
        STATIC / "js" / "citizen" / "sw.js",
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/citizen", "Cache-Control": "no-cache"},
    )
