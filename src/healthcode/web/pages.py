"""Rendering a page: the Jinja2 templates of the package, the language the page is shown in
(``?lang=``, then the ``hc_lang`` cookie, then the instance default) and the texts handed to its
scripts."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from healthcode.kernel.regions import KNOWN_NAMES, time_zone
from healthcode.web.texts import LANGUAGES, texts

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
LANGUAGE_COOKIE = "hc_lang"
HEADERS = {
    "Cache-Control": "no-cache",
    # only this server's own scripts, styles and API: the session token in the page's storage
    # is worth nothing to a script injected from elsewhere, which cannot run or send it out
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_YEAR = 365 * 24 * 3600


@cache
def environment() -> Environment:
    """The templates, autoescaped (built on first use, not at import)."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page_language(request: Request, default: str) -> str:
    """The language asked for by ``?lang=`` or remembered in the cookie, else ``default``."""
    for asked in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if asked in LANGUAGES:
            return asked
    return default if default in LANGUAGES else LANGUAGES[0]


def city_name(code: str, lang: str) -> str:
    """The city's name in ``lang`` when known, else its GB/T 2260 code."""
    if code in KNOWN_NAMES:
        return KNOWN_NAMES[code][LANGUAGES.index(lang)]
    return code


def _script_json(value: object) -> Markup:
    """JSON safe inside a <script> element (no ``</script>`` can close it early)."""
    text = json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text)  # noqa: S704 - JSON with every < and > escaped, for a script element


def hours(seconds: float | None) -> str:
    """A duration in hours, one decimal (a dash when there is none)."""
    return "–" if seconds is None else f"{seconds / 3600:.1f} h"


def page_html(template: str, *, lang: str, jurisdiction: str, path: str, **context: Any) -> str:
    """The page ``template`` in ``lang`` as HTML text."""
    words = texts(lang)
    settings = {
        "lang": lang,
        "jurisdiction": jurisdiction,
        "zone": time_zone(jurisdiction).key,
        "cities": {code: names[LANGUAGES.index(lang)] for code, names in KNOWN_NAMES.items()},
    }
    return (
        environment()
        .get_template(template)
        .render(
            t=words,
            lang=lang,
            other_lang=LANGUAGES[1 - LANGUAGES.index(lang)],
            path=path,
            page_json=_script_json({"texts": words, **settings}),
            **context,
        )
    )


def render(
    request: Request, template: str, *, lang: str, jurisdiction: str, **context: Any
) -> HTMLResponse:
    """The page ``template`` in ``lang``; the language is remembered in a cookie when asked."""
    html = page_html(
        template, lang=lang, jurisdiction=jurisdiction, path=request.url.path, **context
    )
    response = HTMLResponse(html, headers=HEADERS)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=_YEAR, samesite="lax")
    return response
