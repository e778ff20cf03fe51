"""The code page with the network gone: the last code stays, with its expiry, and is marked
expired once that passes; the page's scripts and styles stay under 150 KB compressed."""

from __future__ import annotations

import gzip
import re

import pytest
from playwright.sync_api import Browser, Response, expect

from browser_helpers import Guard, Phone, ServedApp, new_phone
from citizen_pages_helpers import log_in, verified_citizen
from healthcode.container import Container

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

PHONE_NUMBER = "13900002222"
BUDGET = 150 * 1024


def test_offline_the_last_code_stays_with_its_expiry_then_shows_expired(
    container: Container, phone: Phone, guard: Guard
) -> None:
    """Offline, the code page keeps the QR and its expiry; after the expiry it says expired."""
    verified_citizen(container, PHONE_NUMBER, 12)
    phone.context.clock.install()
    page = log_in(phone, PHONE_NUMBER)
    expires = page.locator("#expires").inner_text()
    assert re.fullmatch(r"\d\d:\d\d:\d\d", expires)
    phone.context.set_offline(True)
    expect(page.locator("#offline")).to_be_visible()
    page.clock.fast_forward("00:20")  # past a poll: it fails, and nothing is lost
    expect(page.locator("#qr svg")).to_have_count(1)
    expect(page.locator("#expires")).to_have_text(expires)
    expect(page.locator("#left")).not_to_contain_text(re.compile("过期|Expired"))
    page.clock.fast_forward("06:00")  # the code's five minutes are over
    expect(page.locator("#left")).to_contain_text("已过期" if phone.lang == "zh" else "Expired")
    expect(page.locator("#card")).to_have_class(re.compile(r"\bstale\b"))
    phone.context.close()  # no more polls: what they logged is complete
    # the page's own polls failed for want of a network, which Chromium logs: expected here
    guard.errors[:] = [e for e in guard.errors if "net::ERR_INTERNET_DISCONNECTED" not in e]


def test_a_fresh_page_draws_the_kept_code_when_the_api_is_unreachable(
    container: Container, phone: Phone, guard: Guard
) -> None:
    """A code page opened while the API cannot be reached draws the code kept on the device."""
    verified_citizen(container, PHONE_NUMBER, 12)
    first = log_in(phone, PHONE_NUMBER)
    token_svg = first.locator("#qr").inner_html()
    first.close()
    phone.context.route(re.compile(r"/api/v1/"), lambda route: route.abort("internetdisconnected"))
    page = phone.open("/citizen")
    expect(page.locator("#offline")).to_be_visible()
    expect(page.locator("#card")).to_have_class(re.compile(r"\bcolour-green\b"))
    assert page.locator("#qr").inner_html() == token_svg
    phone.context.close()  # no more polls: what they logged is complete
    guard.errors[:] = [e for e in guard.errors if "net::ERR_INTERNET_DISCONNECTED" not in e]


def test_code_page_scripts_and_styles_are_under_150_kb_compressed(
    container: Container, phone: Phone
) -> None:
    """Every script and style the code page loads, gzipped, adds up to less than 150 KB."""
    verified_citizen(container, PHONE_NUMBER, 12)
    page = log_in(phone, PHONE_NUMBER)
    loaded: list[Response] = []
    page.on("response", lambda response: loaded.append(response))
    page.reload()
    expect(page.locator("#qr svg")).to_have_count(1)
    assets = {
        r.url: r.body() for r in loaded if r.request.resource_type in ("script", "stylesheet")
    }
    assert any(url.endswith("/qrcode.mjs") for url in assets)
    assert any(url.endswith("/site.css") for url in assets)
    compressed = sum(len(gzip.compress(body, compresslevel=9)) for body in assets.values())
    assert compressed < BUDGET, f"{compressed} bytes compressed: {sorted(assets)}"


def test_with_its_service_worker_the_code_page_opens_with_no_network(
    container: Container, browser: Browser, served: ServedApp, guard: Guard
) -> None:
    """Once the worker is installed, the code page reloads offline and shows the kept code."""
    phone = new_phone(browser, served, "zh", guard, workers=True)
    verified_citizen(container, PHONE_NUMBER, 12)
    page = log_in(phone, PHONE_NUMBER)
    # bounded: `ready` never settles if the worker fails to install, and evaluate has no timeout
    assert page.evaluate(
        "Promise.race([navigator.serviceWorker.ready.then(() => true),"
        " new Promise((settle) => setTimeout(() => settle(false), 15000))])"
    ), "the service worker did not become active within 15 s"
    expect(page.locator("#qr svg")).to_have_count(1)
    svg = page.locator("#qr").inner_html()
    phone.context.set_offline(True)
    served.stop()  # and the server gone too: nothing can answer but the worker's cache
    page.reload()
    expect(page.locator("#offline")).to_be_visible()
    expect(page.locator("#card")).to_have_class(re.compile(r"\bcolour-green\b"))
    assert page.locator("#qr").inner_html() == svg
    phone.context.close()
    assert guard.outside == []
    errors = [e for e in guard.errors if "net::ERR_INTERNET_DISCONNECTED" not in e]
    assert errors == []
