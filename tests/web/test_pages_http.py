"""The pages over plain HTTP: HTML for everyone with a strict content security policy, the
language from ?lang= (remembered in a cookie) else the instance's, left out of the OpenAPI
document; the vendored assets are served with their licences."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PAGES = (
    "/",
    "/citizen",
    "/citizen/login",
    "/citizen/sign-up",
    "/citizen/declare",
    "/citizen/history",
    "/citizen/exposures",
    "/citizen/access-log",
    "/citizen/appeals",
    "/citizen/my-data",
    "/citizen/check-in",
    "/citizen/from-channel",
    "/rules",
    "/visit",
)


def test_every_page_is_html_with_a_strict_policy(client: TestClient) -> None:
    """Each page answers HTML in Chinese by default, scripts and connections only to itself."""
    for path in PAGES:
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith("text/html")
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "connect-src 'self';" in policy
        assert '<html lang="zh">' in answer.text


def test_forms_never_put_what_is_typed_in_the_address(client: TestClient) -> None:
    """Every citizen form posts: sent before its script loads, a password never lands in a URL."""
    forms = 0
    for path in PAGES:
        for tag in re.findall(r"<form\b[^>]*>", client.get(path).text):
            forms += 1
            assert 'method="post"' in tag, (path, tag)
    assert forms >= 7


def test_language_switch_is_remembered_and_unknown_ones_ignored(client: TestClient) -> None:
    """?lang=en answers English and sets the cookie; later pages follow it; ?lang=fr is ignored."""
    first = client.get("/citizen/login?lang=en")
    assert '<html lang="en">' in first.text and "Log in" in first.text
    assert first.cookies.get("hc_lang") == "en"
    assert '<html lang="en">' in client.get("/citizen").text
    assert '<html lang="en">' in client.get("/?lang=fr").text
    assert '<html lang="zh">' in client.get("/?lang=zh").text


def test_pages_are_not_in_the_openapi_document(client: TestClient) -> None:
    """No page, nor /docs, is an operation of the API's document (the fuzz stage walks it)."""
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if not p.startswith(("/api/", "/.well-known/", "/healthz",
                                                      "/readyz", "/metrics"))]  # fmt: skip


def test_vendored_assets_come_with_their_licences(client: TestClient) -> None:
    """The QR library and Swagger UI are served from the package, each next to its licence."""
    for path in (
        "/static/vendor/qrcode-generator/qrcode.mjs",
        "/static/vendor/qrcode-generator/LICENCE",
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui.css",
        "/static/vendor/swagger-ui/LICENSE",
    ):
        assert client.get(path).status_code == 200, path
    docs = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert "cdn." not in docs
    assert client.get("/static/../pages.py").status_code == 404
