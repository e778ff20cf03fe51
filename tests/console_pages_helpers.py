"""Browser tests of the console: an official logged in through the console's own login page
(password and the TOTP code at the test's clock)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from browser_helpers import Phone
from healthcode.container import Container
from identity_helpers import PASSWORD, OfficialKit, totp_code


def log_in_console(
    phone: Phone, container: Container, kit: OfficialKit, page: Page | None = None
) -> Page:
    """``kit``'s official logged in on ``phone`` (or in ``page``), left on the dashboard."""
    tab = phone.open("/console/login", page)
    tab.locator("#username").fill(kit.username)
    tab.locator("#password").fill(PASSWORD)
    tab.locator("#totp").fill(totp_code(kit.secret, container.clock.now()))
    tab.locator("#login button[type=submit]").click()
    expect(tab).to_have_url(re.compile(r"/console(\?|$)"))
    return tab
