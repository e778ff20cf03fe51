"""The interactive API documentation (``/docs``), its Swagger UI served from the package so
that it works with no internet (FastAPI's own page loads it from a CDN)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

from healthcode.api.auth import Public
from healthcode.oversight.access import Action

router = APIRouter(include_in_schema=False, dependencies=[Depends(Public(Action.READ_WEB_PAGE))])

VENDOR = "/static/vendor/swagger-ui"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui() -> HTMLResponse:
    """Swagger UI over ``/openapi.json``, with every asset from this server."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="healthcode API",
        swagger_js_url=f"{VENDOR}/swagger-ui-bundle.js",
        swagger_css_url=f"{VENDOR}/swagger-ui.css",
        swagger_favicon_url="/static/icon.svg",
        oauth2_redirect_url=OAUTH2_REDIRECT,
        # no badge from the public validator service: nothing leaves the server
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get(OAUTH2_REDIRECT, response_class=HTMLResponse)
async def swagger_ui_redirect() -> HTMLResponse:
    """Where Swagger UI's OAuth2 flow returns (the channels' client-credentials login)."""
    return get_swagger_ui_oauth2_redirect_html()
