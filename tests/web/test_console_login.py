"""The console's frame: an official logs in with password and TOTP, is named with their role on
every console page, and logs out; a console page without a session goes to the login."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser_helpers import Guard, Phone
from console_pages_helpers import log_in_console
from healthcode.container import Container
from identity_helpers import PASSWORD, add_test_official, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_an_official_logs_in_with_totp_and_out_again(container: Container, phone: Phone) -> None:
    """Password and TOTP open the console with the official named; logging out ends it."""
    kit = add_test_official(container, "tracer.wang", role="supervisor")
    page = log_in_console(phone, container, kit)
    expect(page.locator("#who")).to_contain_text("tracer.wang")
    expect(page.locator("#who")).to_contain_text("主管" if phone.lang == "zh" else "supervisor")
    page.locator("#logout").click()
    expect(page).to_have_url(re.compile(r"/console/login"))
    assert page.evaluate("localStorage.getItem('hc.console.session')") is None


def test_a_wrong_totp_code_is_refused_in_an_alert(
    container: Container, phone: Phone, guard: Guard
) -> None:
    """A wrong authenticator code is announced and keeps the official on the login page."""
    kit = add_test_official(container, "tracer.li")
    page = phone.open("/console/login")
    page.locator("#username").fill(kit.username)
    page.locator("#password").fill(PASSWORD)
    page.locator("#totp").fill(
        "000000" if totp_code(kit.secret, container.clock.now()) != "000000" else "111111"
    )
    page.locator("#login button[type=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/console/login"))
    phone.context.close()
    guard.errors[:] = [e for e in guard.errors if "status of 401" not in e]


def test_a_console_page_without_a_session_goes_to_the_login(phone: Phone) -> None:
    """Opening the console with no session on this device lands on the login page."""
    page = phone.open("/console")
    expect(page).to_have_url(re.compile(r"/console/login"))
