"""``make screenshots``: the console's casework and administrative pages of a seeded week at
360 x 740, written to docs/screenshots/ (marked ``screenshots``, left out of the plain pytest
run); each page must have finished loading with no alert before it is taken."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser_helpers import Phone
from console_pages_helpers import log_in_console
from dashboard_helpers import a_week
from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from identity_helpers import add_test_official

pytestmark = [
    pytest.mark.screenshots,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

OUT = Path(os.environ.get("HEALTHCODE_SCREENSHOTS_DIR", "docs/screenshots"))

PAGES = (
    "/console/cases",
    "/console/inbox",
    "/console/appeals",
    "/console/areas",
    "/console/quarantines",
    "/console/flagged",
    "/console/policies",
)


def test_screenshots_of_the_console_pages(
    container: Container, clock: FixedClock, phone: Phone
) -> None:
    """Cases, inbox, appeals and the administrative pages of a week, as a supervisor sees them."""
    a_week(container, clock)
    page = log_in_console(phone, container, add_test_official(container, "zhang", "supervisor"))
    OUT.mkdir(parents=True, exist_ok=True)
    for path in PAGES:
        phone.open(path, page)
        page.wait_for_load_state("networkidle")
        expect(page.get_by_role("alert")).to_be_hidden()
        name = path.rsplit("/", 1)[-1]
        page.screenshot(path=OUT / f"console-{name}-{phone.lang}.png", full_page=True)
