"""A citizen in the browser: signs up with the code texted to the phone, sees a green code once
a channel confirms the identity, declares a fever and sees the code turn yellow with its reason
without reloading the code page; the records pages read the API."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from browser_helpers import Guard, Phone
from citizen_pages_helpers import log_in, verified_citizen
from factories import resident_id
from healthcode.app import create_app
from healthcode.container import Container
from healthcode.status.declarations import list_declarations
from identity_helpers import PASSWORD, add_test_channel, add_test_official, official_headers
from presence_helpers import keys
from sign_up_helpers import confirm_identity_through, last_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

PHONE_NUMBER = "13900001111"
ID_NUMBER = resident_id(11)
WORDS = {
    "zh": {"green": "绿码", "yellow": "黄码", "fever": "申报发热", "clears": "连续7天"},
    "en": {
        "green": "Green code",
        "yellow": "Yellow code",
        "fever": "Fever declared",
        "clears": "7 consecutive days",
    },
}


def sign_up(container: Container, phone: Phone) -> Page:
    """Sign up through the pages (the code read from the test SMS outbox); the code page."""
    page = phone.open("/citizen/sign-up")
    page.locator("#phone").fill(PHONE_NUMBER)
    page.locator("#start button[type=submit]").click()
    expect(page.locator("#sign-up")).to_be_visible()
    expect(page.locator("#sent")).to_be_visible()
    page.locator("#code").fill(last_code(container, PHONE_NUMBER))
    page.locator("#name").fill("张三丰")
    page.locator("#id_number").fill(ID_NUMBER)
    page.locator("#address").fill("杭州市西湖区文三路1号")
    page.locator("#password").fill(PASSWORD)
    page.locator("#sign-up button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/citizen$"))
    return page


def test_sign_up_green_code_then_fever_turns_it_yellow_without_reload(
    container: Container, phone: Phone
) -> None:
    """Sign-up, a green QR code, then a fever turns the open code page yellow with its reason."""
    keys(container)
    words = WORDS[phone.lang]
    page = sign_up(container, phone)
    # an identity claimed on the website gets no code until a channel confirms it
    expect(page.locator("#withheld")).to_be_visible()
    expect(page.locator("#qr svg")).to_have_count(0)
    confirm_identity_through(
        container,
        add_test_channel(container),
        user_id="u-1",
        phone=PHONE_NUMBER,
        id_number=ID_NUMBER,
    )
    page.reload()
    card = page.locator("#card")
    expect(card).to_have_class(re.compile(r"\bcolour-green\b"))
    expect(page.locator("#verdict")).to_contain_text(words["green"])
    expect(page.locator("#verdict .symbol")).to_have_text("✓")
    expect(page.locator("#qr svg")).to_have_count(1)
    expect(page.get_by_role("img", name=re.compile(words["green"]))).to_be_visible()
    expect(page.locator("#holder")).to_contain_text("张*丰")
    expect(page.locator("#withheld")).to_be_hidden()
    page.evaluate("window.notReloaded = true")

    declare = phone.open("/citizen/declare")
    declare.locator("#temperature").fill("38.6")
    declare.locator("input[name=symptoms][value=fever]").check()
    declare.locator("#health button[type=submit]").click()
    expect(declare.locator("#result-verdict")).to_contain_text(words["yellow"])
    expect(declare.locator("#result-why")).to_contain_text(words["fever"])
    expect(declare.locator("#mine")).to_contain_text("38.6")

    expect(card).to_have_class(re.compile(r"\bcolour-yellow\b"))
    expect(page.locator("#verdict")).to_contain_text(words["yellow"])
    expect(page.locator("#verdict .symbol")).to_have_text("!")
    expect(page.locator("#why .reason[data-rule=fever]")).to_contain_text(words["fever"])
    expect(page.locator("#why .reason[data-rule=fever]")).to_contain_text(words["clears"])
    assert page.evaluate("window.notReloaded") is True

    history = phone.open("/citizen/history")
    expect(history.locator("#records .record").first).to_contain_text(words["yellow"])
    # why, in words: the declaration that turned it yellow, and registering that made it green
    changes = history.locator("#records .record")
    expect(changes.first).to_contain_text(
        "健康申报" if phone.lang == "zh" else "a health declaration"
    )
    expect(changes.last).to_contain_text("注册" if phone.lang == "zh" else "you registered")


def test_a_travel_declaration_is_recorded_and_listed(
    container: Container, phone: Phone, guard: Guard
) -> None:
    """The travel form's refusal shows under it, naming the field; the page lists what it sent."""
    verified_citizen(container, "13900009999", 20)
    log_in(phone, "13900009999")
    page = phone.open("/citizen/declare")
    page.locator("#place").fill("310000")
    page.locator("#from_date").fill("2026-02-28")
    page.locator("#to_date").fill("2026-02-27")
    page.locator("#travel button[type=submit]").click()
    expect(page.locator("#travel-problem")).to_contain_text("from_date")
    expect(page.locator("#health-problem")).to_be_hidden()
    # Chromium logs the refused request (422) as a console error: that one is dropped
    guard.errors[:] = [e for e in guard.errors if "status of 422" not in e]
    page.locator("#from_date").fill("2026-02-25")
    page.locator("#to_date").fill("2026-02-27")
    page.locator("#travel button[type=submit]").click()
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#travel-problem")).to_be_hidden()
    expect(page.locator("#mine")).to_contain_text("310000: 2026-02-25 – 2026-02-27")
    with container.uow() as uow:
        account = uow.accounts.by_phone("13900009999")
    assert account is not None
    recorded = list_declarations(uow=container.uow(), subject=account.subject)
    assert [f.kind.value for f in recorded] == ["travel_declaration"]


def test_the_access_log_page_shows_an_official_reading_me(
    container: Container, phone: Phone
) -> None:
    """After an official reads the citizen's record, the access log page names the reader."""
    verified_citizen(container, "13900001212", 21)
    log_in(phone, "13900001212")
    with container.uow() as uow:
        account = uow.accounts.by_phone("13900001212")
    assert account is not None
    with TestClient(create_app(container=container)) as client:
        wang = official_headers(
            client, add_test_official(container, "wang", "official"), container.clock.now()
        )
        assert client.get(f"/api/v1/people/{account.subject}", headers=wang).status_code == 200
    page = phone.open("/citizen/access-log")
    record = page.locator("#records .record").first
    zh = phone.lang == "zh"
    expect(record.locator("h3")).to_have_text("wang (防疫工作人员)" if zh else "wang (official)")
    expect(record).to_contain_text("疫情防控" if zh else "epidemic control")
    # what was read, in words, not the access record's code ("profile")
    expect(record).to_contain_text("个人资料" if zh else "your profile")
    assert "profile" not in (record.text_content() or "").replace("your profile", "")
