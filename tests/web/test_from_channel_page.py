"""A partner app opens the citizen's pages signed in: its assertion in the address's fragment
becomes a session and the code page shows the person's green code; the login is on the access
log page; the same link again (a replay) and an expired one are refused with a clear page in
the API's words, the link's fragment taken out of the address. In zh and en at 360 x 740."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from browser_helpers import Guard, Phone
from healthcode.container import Container
from healthcode.identity.channel_login import WHAT
from identity_helpers import add_test_channel, register_via_channel
from presence_helpers import keys

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

REFUSED = {"zh": "无法通过此链接登录", "en": "This link cannot sign you in"}


def _link(phone: Phone, assertion: str) -> str:
    return f"{phone.base}/citizen/from-channel?lang={phone.lang}#assertion={assertion}"


def test_a_channel_link_opens_the_code_and_is_used_once(
    container: Container, phone: Phone, guard: Guard
) -> None:
    """The channel's link signs its user in once; a replay and an expired link are refused."""
    keys(container)
    kit = add_test_channel(container)
    now = container.clock.now()
    register_via_channel(container, kit, user_id="u-7", face_checked_at=now)
    assertion = kit.assertion(user_id="u-7", now=now)

    page = phone.context.new_page()
    page.goto(_link(phone, assertion))
    expect(page).to_have_url(re.compile(r"/citizen$"))
    expect(page.locator("#card")).to_have_class(re.compile(r"\bcolour-green\b"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone.open("/citizen/access-log", page)
    # the channel by its name and role, what it did in the page's words (not the record's code)
    zh = phone.lang == "zh"
    expect(page.locator("#records h3")).to_have_text(
        f"{kit.name} (合作应用)" if zh else f"{kit.name} (partner app)"
    )
    expect(page.locator("#records")).to_contain_text(
        "经合作应用登录网站" if zh else "a website session opened through a partner app"
    )
    assert WHAT not in (page.locator("#records").text_content() or "")

    for link, words in (
        (assertion, "replay"),
        (kit.assertion(user_id="u-7", now=now - timedelta(minutes=20)), "expired"),
    ):
        again = phone.context.new_page()
        again.goto(_link(phone, link))
        expect(again.locator("#refused h2")).to_have_text(REFUSED[phone.lang])
        expect(again.locator("#problem")).to_contain_text(words)
        expect(again.locator('#refused a[href="/citizen/login"]')).to_be_visible()
        assert "#" not in again.url and "assertion" not in again.url
        assert again.evaluate("localStorage.getItem('hc.session')") is None
    # Chromium logs each refused request as a console error: drop exactly those two
    refusal = re.compile(r"status of 401 ")
    assert len([e for e in guard.errors if refusal.search(e)]) == 2
    guard.errors[:] = [e for e in guard.errors if not refusal.search(e)]
