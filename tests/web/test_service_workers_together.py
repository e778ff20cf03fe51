"""The citizen's and the scanner's service workers on one origin: a phone that opens both keeps
both offline caches (one worker's clean-up never deletes the other's)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from browser_helpers import Guard, ServedApp, new_phone
from citizen_pages_helpers import log_in, verified_citizen
from healthcode.container import Container

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

PHONE_NUMBER = "13900007788"

READY = (
    "Promise.race([navigator.serviceWorker.ready.then(() => true),"
    " new Promise((settle) => setTimeout(() => settle(false), 15000))])"
)


def test_the_citizen_worker_leaves_the_scanners_cache(
    container: Container, browser: Browser, served: ServedApp, guard: Guard
) -> None:
    """After the scanner's worker cached its shell, the citizen's worker activates; both remain."""
    phone = new_phone(browser, served, "en", guard, workers=True)
    scanner = phone.open("/checkpoint")
    assert scanner.evaluate(READY), "the scanner's service worker did not become active"
    scanner.wait_for_function(
        "caches.keys().then((names) => names.some((name) => name.startsWith('hc-checkpoint')))"
    )
    verified_citizen(container, PHONE_NUMBER, 14)
    page = log_in(phone, PHONE_NUMBER)
    assert page.evaluate(READY), "the citizen's service worker did not become active"
    page.wait_for_function(
        "caches.keys().then((names) => names.some((name) => name.startsWith('hc-citizen')))"
    )
    names = page.evaluate("caches.keys()")
    assert any(name.startswith("hc-checkpoint") for name in names), names
    phone.context.close()
    assert guard.outside == []
