"""Every page, in zh and en, at 360 x 740: nothing wider than the screen, one heading that
names the page, every form control labelled, the language declared."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from browser_helpers import Phone
from citizen_pages_helpers import log_in, verified_citizen
from healthcode.container import Container

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

PHONE_NUMBER = "13900005555"
PAGES = (
    "/",
    "/citizen/login",
    "/citizen/sign-up",
    "/citizen",
    "/citizen/declare",
    "/citizen/history",
    "/citizen/exposures",
    "/citizen/access-log",
    "/citizen/appeals",
    "/citizen/my-data",
    "/citizen/check-in",
    "/rules",
    "/visit",
)
# the controls of the page without an accessible name: a label, aria-label or aria-labelledby
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label')
    && !c.getAttribute('aria-labelledby') && !(c.tagName === 'BUTTON' && c.textContent.trim()))
  .map((c) => c.outerHTML)"""


def _check(page: Page, lang: str) -> list[str]:
    problems: list[str] = []
    path = page.url
    if page.evaluate("document.documentElement.scrollWidth") > 360:
        problems.append(f"{path}: wider than 360 px")
    if page.evaluate("document.documentElement.lang") != lang:
        problems.append(f"{path}: lang is not {lang}")
    if page.locator("h1").count() != 1:
        problems.append(f"{path}: not one h1")
    problems.extend(f"{path}: unlabelled {html}" for html in page.evaluate(UNLABELLED))
    return problems


def test_every_page_fits_360_px_and_labels_its_controls(container: Container, phone: Phone) -> None:
    """Each page, logged in, fits 360 px, has one h1, labelled controls and its language."""
    verified_citizen(container, PHONE_NUMBER, 15)
    page = log_in(phone, PHONE_NUMBER)
    problems: list[str] = []
    for path in PAGES:
        phone.open(path, page)
        page.wait_for_load_state("networkidle")
        problems.extend(_check(page, phone.lang))
    assert problems == []
