"""Browser tests of the console's administrative pages: a flagged check-in, dropping the console
errors Chromium logs for refusals a test expects, and what a page must be at 360 px."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from browser_helpers import Guard
from healthcode.container import Container
from presence_helpers import FAR_AWAY, check_in_at, city, person


def expected_refusals(guard: Guard, *statuses: int) -> None:
    """Chromium logs each refused request as a console error: drop exactly those."""
    pattern = re.compile(rf"status of ({'|'.join(map(str, statuses))}) ")
    guard.errors[:] = [e for e in guard.errors if not pattern.search(e)]


def flagged_checkin(container: Container, seq: int = 1) -> tuple[str, str]:
    """A person who checked in at a restaurant 6 km away from it: (subject, check-in id)."""
    c = city(container)
    subject = person(container, seq)
    result = check_in_at(container, subject, c.restaurant.place_code, FAR_AWAY)
    assert result.flagged
    return subject, result.checkin.id


ADMIN_PAGES = (
    "/console/areas",
    "/console/quarantines",
    "/console/flagged",
    "/console/policies",
    "/console/access-log",
)
# the page's controls without an accessible name: a label, aria-label or aria-labelledby
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label')
    && !c.getAttribute('aria-labelledby') && !(c.tagName === 'BUTTON' && c.textContent.trim()))
  .map((c) => c.outerHTML)"""


def layout_problems(page: Page, lang: str) -> list[str]:
    """What is wrong with the page at 360 px: too wide, not one h1, its language, unlabelled."""
    path, problems = page.url, []
    if page.evaluate("document.documentElement.scrollWidth") > 360:
        problems.append(f"{path}: wider than 360 px")
    if page.evaluate("document.documentElement.lang") != lang:
        problems.append(f"{path}: lang is not {lang}")
    if page.locator("h1").count() != 1:
        problems.append(f"{path}: not one h1")
    problems.extend(f"{path}: unlabelled {html}" for html in page.evaluate(UNLABELLED))
    return problems
