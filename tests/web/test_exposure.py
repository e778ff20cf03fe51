"""A case is confirmed while the contact's code page is open: the page turns red with the
close-contact reason by itself, and the exposures page shows the evidence, never the case."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser_helpers import Phone
from citizen_pages_helpers import log_in, verified_citizen
from healthcode.container import Container
from presence_helpers import city
from tracing_helpers import confirm, hours, officials, report, resident, stay, work

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

PHONE_NUMBER = "13900006666"


def _seconds(countdown: str) -> int:
    """Seconds in a countdown such as ``12天 19:00:00`` or ``12d 19:00:00``."""
    days, clock = re.split(r"天 |d ", countdown)
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    return ((int(days) * 24 + hours) * 60 + minutes) * 60 + seconds


def test_a_confirmed_case_turns_the_open_code_page_red_and_shows_the_evidence(
    container: Container, phone: Phone
) -> None:
    """The contact's code page turns red at its next poll, counts normal days; exposures say why."""
    verified_citizen(container, PHONE_NUMBER, 16)
    phone.context.clock.install()
    page = log_in(phone, PHONE_NUMBER)
    with container.uow() as uow:
        account = uow.accounts.by_phone(PHONE_NUMBER)
    assert account is not None
    contact = account.subject
    who = officials(container)
    case = resident(container, 17)
    restaurant = city(container).restaurant
    now = container.clock.now()
    stay(container, case, restaurant.id, now - hours(30), now - hours(29))
    stay(container, contact, restaurant.id, now - hours(29.5), now - hours(28))
    confirm(container, who["li"], report(container, who["wang"], case, sampled_at=now - hours(5)))
    work(container)

    page.clock.fast_forward("00:16")  # the page's next poll of the status
    expect(page.locator("#card")).to_have_class(re.compile(r"\bcolour-red\b"))
    expect(page.locator("#verdict")).to_contain_text("红码" if phone.lang == "zh" else "Red code")
    expect(page.locator("#verdict .symbol")).to_have_text("✕")
    expect(page.locator("#why .reason.colour-red").first).to_be_visible()
    # the quarantine's planned end, counted down to the second
    countdown = page.locator("#why .countdown").first
    expect(countdown).to_have_text(re.compile(r"^\d+(天|d) \d\d:\d\d:\d\d$"))
    before = countdown.inner_text()
    page.clock.fast_forward("00:01")
    expect(countdown).not_to_have_text(before)
    # a second forward, plus what passed meanwhile: the clock runs on in real time too
    assert 1 <= _seconds(before) - _seconds(countdown.inner_text()) <= 10
    # the close-contact rule ends after 14 normal days: none counted yet, and the earliest end
    days = "0 / 14 天" if phone.lang == "zh" else "0 of 14 days"
    expect(page.locator('#why [data-rule="close-contact"] .progress')).to_have_text(days)

    exposures = phone.open("/citizen/exposures")
    evidence = exposures.locator("#records .evidence").first
    expect(evidence).to_contain_text("楼外楼" if phone.lang == "zh" else "Louwailou")
    expect(evidence).not_to_contain_text(restaurant.id)  # the venue's name, not its id
    expect(evidence).to_contain_text("30")
    close = "密切接触者" if phone.lang == "zh" else "Close contact"
    expect(exposures.locator("#records")).to_contain_text(close)
    # the rule in words, not its id
    cause = "病例 (同一场所)" if phone.lang == "zh" else "a case (at the same venue)"
    expect(exposures.locator("#records")).to_contain_text(cause)
    assert case not in exposures.content()  # the case is never named to the contact


def test_a_housemates_evidence_says_at_home(container: Container, phone: Phone) -> None:
    """A household contact's evidence reads "at home", not a place id or "None"."""
    verified_citizen(container, PHONE_NUMBER, 16)  # registered at 杭州市西湖区文三路1号
    log_in(phone, PHONE_NUMBER)
    who = officials(container)
    case = resident(container, 17, home=1)
    now = container.clock.now()
    confirm(container, who["li"], report(container, who["wang"], case, sampled_at=now - hours(5)))
    work(container)
    exposures = phone.open("/citizen/exposures")
    evidence = exposures.locator("#records .evidence").first
    home = "家中（同住）" if phone.lang == "zh" else "At home (living together)"
    expect(evidence).to_contain_text(home)
    expect(exposures.locator("#records")).not_to_contain_text("None")
