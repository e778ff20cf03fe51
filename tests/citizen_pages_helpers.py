"""Citizens for the browser tests of the citizen's pages: a website account whose identity a
channel confirmed (so it gets a code), and logging it in on the login page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from browser_helpers import Phone
from factories import resident_id
from healthcode.container import Container
from identity_helpers import PASSWORD, add_test_channel
from presence_helpers import keys
from sign_up_helpers import confirm_identity_through, website_sign_up


def verified_citizen(container: Container, phone_number: str, seq: int) -> None:
    """Signing keys, and a website account for ``phone_number`` that a channel confirmed."""
    keys(container)
    id_number = resident_id(seq)
    website_sign_up(container, id_number=id_number, phone=phone_number)
    confirm_identity_through(
        container,
        add_test_channel(container),
        user_id=f"u-{seq}",
        phone=phone_number,
        id_number=id_number,
    )


def log_in(phone: Phone, phone_number: str) -> Page:
    """Log in on the login page; the code page, once it shows a green code."""
    page = phone.open("/citizen/login")
    page.locator("#phone").fill(phone_number)
    page.locator("#password").fill(PASSWORD)
    page.locator("#login button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/citizen$"))
    expect(page.locator("#card")).to_have_class(re.compile(r"\bcolour-green\b"))
    return page
