"""``make screenshots``: the console's dashboard and map of a seeded week, and the peers page
with a refused list, at 360 x 740, written to docs/screenshots/ (marked ``screenshots``, left
out of the plain pytest run)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser_helpers import Phone
from console_pages_helpers import log_in_console
from dashboard_helpers import a_week
from federation_helpers import shanghai_refused
from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from identity_helpers import add_test_official

pytestmark = [
    pytest.mark.screenshots,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

OUT = Path(os.environ.get("HEALTHCODE_SCREENSHOTS_DIR", "docs/screenshots"))


def test_screenshots_of_the_console(container: Container, clock: FixedClock, phone: Phone) -> None:
    """The dashboard and the map of a week with a cluster and a risk area."""
    a_week(container, clock)
    page = log_in_console(phone, container, add_test_official(container, "tracer.zhou"))
    expect(page.locator("body[data-ready='dashboard']")).to_be_attached()
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=OUT / f"console-dashboard-{phone.lang}.png", full_page=True)
    phone.open("/console/map", page)
    expect(page.locator("body[data-ready='map']")).to_be_attached()
    page.screenshot(path=OUT / f"console-map-{phone.lang}.png", full_page=True)


def test_screenshot_of_the_peers_page(container: Container, phone: Phone) -> None:
    """The peers page with Shanghai's last list refused (another root)."""
    shanghai_refused(container)
    page = log_in_console(phone, container, add_test_official(container, "ada", "admin"))
    phone.open("/console/peers", page)
    expect(page.locator("[data-peer='310000']")).to_contain_text("wrong_root")
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=OUT / f"console-peers-{phone.lang}.png", full_page=True)
