"""``make screenshots``: the main pages at 360 x 740, written to docs/screenshots/ (PNG). Marked
``screenshots`` and left out of the plain pytest run; it checks what it shows as it goes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser_helpers import Phone
from citizen_pages_helpers import log_in, verified_citizen
from healthcode.container import Container
from presence_helpers import city
from tracing_helpers import confirm, hours, officials, report, resident, stay, work

pytestmark = [
    pytest.mark.screenshots,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

OUT = Path(os.environ.get("HEALTHCODE_SCREENSHOTS_DIR", "docs/screenshots"))
PHONE_NUMBER = "13900003333"


def shoot(page: Page, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=OUT / f"{name}.png", full_page=True, animations="disabled")


def test_screenshots_of_the_main_pages(container: Container, phone: Phone) -> None:
    """Start, rules, sign-up, codes, declaring, records, appeal, my data and check-in."""
    lang = phone.lang
    verified_citizen(container, PHONE_NUMBER, 13)
    page = phone.open("/")
    expect(page.locator("#policy-version")).not_to_be_empty()
    shoot(page, f"start-{lang}")
    phone.open("/rules", page)
    shoot(page, f"rules-{lang}")
    phone.open("/citizen/sign-up", page)
    shoot(page, f"sign-up-{lang}")
    page = log_in(phone, PHONE_NUMBER)
    shoot(page, f"code-green-{lang}")
    declare = phone.open("/citizen/declare")
    declare.locator("#temperature").fill("38.4")
    declare.locator("input[name=symptoms][value=fever]").check()
    declare.locator("#health button[type=submit]").click()
    expect(declare.locator("#result")).to_be_visible()
    shoot(declare, f"declare-{lang}")
    expect(page.locator("#card")).to_have_class(re.compile(r"\bcolour-yellow\b"))
    shoot(page, f"code-yellow-{lang}")
    history = phone.open("/citizen/history")
    expect(history.locator("#records .record")).to_have_count(2)
    shoot(history, f"history-{lang}")
    _contact_of_a_case(container)
    page.reload()
    expect(page.locator("#card")).to_have_class(re.compile(r"\bcolour-red\b"))
    shoot(page, f"code-red-{lang}")
    exposures = phone.open("/citizen/exposures")
    expect(exposures.locator("#records .evidence").first).to_be_visible()
    shoot(exposures, f"exposures-{lang}")
    appeals = phone.open("/citizen/appeals")
    reason = "我那天不在那家餐厅" if lang == "zh" else "I was not there that day"
    appeals.locator("#reason").fill(reason)
    appeals.locator("#appeal button[type=submit]").click()
    expect(appeals.locator("#appeals .record")).to_have_count(1)
    shoot(appeals, f"appeals-{lang}")
    access_log = phone.open("/citizen/access-log")
    page.wait_for_load_state("networkidle")
    expect(access_log.locator("h1")).to_be_visible()
    shoot(access_log, f"access-log-{lang}")
    my_data = phone.open("/citizen/my-data")
    my_data.wait_for_load_state("networkidle")
    shoot(my_data, f"my-data-{lang}")
    check_in = phone.open("/citizen/check-in")
    check_in.wait_for_load_state("networkidle")
    shoot(check_in, f"check-in-{lang}")


def _contact_of_a_case(container: Container) -> None:
    """The citizen shared a restaurant with someone whose case is then confirmed."""
    with container.uow() as uow:
        account = uow.accounts.by_phone(PHONE_NUMBER)
    assert account is not None
    who = officials(container)
    case = resident(container, 18)
    restaurant = city(container).restaurant.id
    now = container.clock.now()
    stay(container, case, restaurant, now - hours(30), now - hours(29))
    stay(container, account.subject, restaurant, now - hours(29.5), now - hours(28))
    confirm(container, who["li"], report(container, who["wang"], case, sampled_at=now - hours(5)))
    work(container)
