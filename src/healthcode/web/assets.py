"""The pages' static files (styles, scripts, vendored libraries), served at ``/static``."""

from __future__ import annotations

from starlette.staticfiles import StaticFiles

from healthcode.web.pages import STATIC

STATIC_PATH = "/static"


def static_files() -> StaticFiles:
    """The ASGI app serving ``web/static`` (made when the app is built, not at import)."""
    return StaticFiles(directory=STATIC)
