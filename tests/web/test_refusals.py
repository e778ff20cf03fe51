"""Refusals on the pages: a wrong password and a bad ID number are announced (role=alert) in
the API's words, naming the field and the rule, and nothing else happens."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser_helpers import Guard, Phone
from citizen_pages_helpers import verified_citizen
from healthcode.container import Container
from sign_up_helpers import last_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def _expected_refusals(guard: Guard, *statuses: int) -> None:
    """Chromium logs each refused request as a console error: drop exactly those."""
    pattern = re.compile(rf"status of ({'|'.join(map(str, statuses))}) ")
    guard.errors[:] = [e for e in guard.errors if not pattern.search(e)]


def test_a_wrong_password_is_announced_and_keeps_the_form(
    container: Container, phone: Phone, guard: Guard
) -> None:
    """Logging in with a wrong password shows the refusal in an alert and stays on the page."""
    verified_citizen(container, "13900007777", 19)
    page = phone.open("/citizen/login")
    page.locator("#phone").fill("13900007777")
    page.locator("#password").fill("not the password at all")
    page.locator("#login button[type=submit]").click()
    problem = page.get_by_role("alert")
    expect(problem).to_be_visible()
    expect(problem).not_to_be_empty()
    expect(page).to_have_url(re.compile(r"/citizen/login"))
    assert page.evaluate("localStorage.getItem('hc.session')") is None
    phone.context.close()
    _expected_refusals(guard, 401)


def test_a_bad_id_number_is_named_with_its_rule(
    container: Container, phone: Phone, guard: Guard
) -> None:
    """A sign-up with a wrong check character is refused naming id_number and the rule."""
    page = phone.open("/citizen/sign-up")
    page.locator("#phone").fill("13900008888")
    page.locator("#start button[type=submit]").click()
    expect(page.locator("#sent")).to_be_visible()
    page.locator("#code").fill(last_code(container, "13900008888"))
    page.locator("#name").fill("李四")
    page.locator("#id_number").fill("110105194912310021")
    page.locator("#address").fill("杭州市西湖区文三路2号")
    page.locator("#password").fill("a long enough password")
    page.locator("#sign-up button[type=submit]").click()
    expect(page.get_by_role("alert")).to_contain_text("id_number: check character should be")
    expect(page.locator("#sign-up")).to_be_visible()
    phone.context.close()
    _expected_refusals(guard, 422)
