"""``make screenshots``: the checkpoint scanner at 360 x 740 (enrolment, ready, pass, stop with
a fever, invalid), written to docs/screenshots/. Marked ``screenshots``, left out of the plain
run; it checks what it shows as it goes."""

from __future__ import annotations

import os
from pathlib import Path

import base45
import pytest
from playwright.sync_api import Page, expect

from browser_helpers import Phone
from healthcode.container import Container
from presence_helpers import T0, city, person
from scanner_helpers import code_for, enrol

pytestmark = [
    pytest.mark.screenshots,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

OUT = Path(os.environ.get("HEALTHCODE_SCREENSHOTS_DIR", "docs/screenshots"))


def shoot(page: Page, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=OUT / f"{name}.png", full_page=False, animations="disabled")


def _check(page: Page, token: str, temperature: str = "") -> None:
    page.locator("#temperature").fill(temperature)
    page.locator("#code").fill(token)
    page.locator("#manual button[type=submit]").click()
    expect(page.locator("#answer")).to_be_visible()


def test_screenshots_of_the_scanner(container: Container, phone: Phone) -> None:
    """Enrolment, the ready scanner, a pass, a fever stop and an invalid code."""
    lang = phone.lang
    venues = city(container)
    token = code_for(container, person(container, 1))
    phone.context.clock.set_fixed_time(T0)
    page = phone.open("/checkpoint")
    expect(page.locator("#enrol-key")).not_to_be_empty()
    shoot(page, f"scanner-enrol-{lang}")
    enrol(page, container, venues.restaurant.id)
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, f"scanner-ready-{lang}")
    _check(page, token)
    expect(page.locator("#answer")).to_have_attribute("data-outcome", "pass")
    shoot(page, f"scanner-pass-{lang}")
    page.locator("#answer-next").click()
    _check(page, token, "38.2")
    expect(page.locator("#answer")).to_have_attribute("data-reason", "fever")
    shoot(page, f"scanner-fever-{lang}")
    page.locator("#answer-next").click()
    cose = bytearray(base45.b45decode(token[4:]))
    cose[-1] ^= 1
    _check(page, "HZ2:" + base45.b45encode(bytes(cose)).decode())
    expect(page.locator("#answer")).to_have_attribute("data-outcome", "invalid")
    shoot(page, f"scanner-invalid-{lang}")
