"""A confirmed case corrected and then withdrawn in the console, each step proposed by an
official in one browser context and approved by a supervisor in another."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_helpers import Guard, Phone, ServedApp, new_phone
from console_pages_helpers import log_in_console
from healthcode.container import Container
from identity_helpers import add_test_official, principal
from tracing_helpers import confirm, hours, report, resident

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def _state(page: Page, lang: str, zh: str, en: str) -> None:
    """The case page's state line says ``zh`` or ``en`` (with its symbol)."""
    expect(page.locator("#case-state")).to_contain_text(zh if lang == "zh" else en)


def test_a_case_is_corrected_and_withdrawn_by_four_eyes_in_two_consoles(
    container: Container, phone: Phone, browser: Browser, served: ServedApp, guard: Guard
) -> None:
    """wang proposes a correction, li confirms it; wang proposes the withdrawal, li approves."""
    wang = add_test_official(container, "wang")
    li = add_test_official(container, "li", "supervisor")
    now = container.clock.now()
    case_id = report(
        container, principal(container, "wang"), resident(container, 61), sampled_at=now - hours(4)
    )
    confirm(container, principal(container, "li"), case_id)

    official = log_in_console(phone, container, wang)
    phone.open(f"/console/cases/{case_id}", official)
    _state(official, phone.lang, "已确认", "Confirmed")
    correct = official.locator("#correct")
    correct.locator("#c-test_reference").fill("HZ-PCR-0999")
    correct.locator("#c-reason").fill("the lab's number was mistyped")
    correct.locator("button[type=submit]").click()
    expect(official.locator("#done")).to_be_visible()
    expect(official.locator("#confirm")).to_be_visible()  # the correction waits for another
    expect(correct).to_be_hidden()

    other = new_phone(browser, served, phone.lang, guard)
    supervisor = log_in_console(other, container, li)
    other.open(f"/console/cases/{case_id}", supervisor)
    supervisor.locator("#confirm button[type=submit]").click()
    expect(supervisor.locator("#details")).to_contain_text("HZ-PCR-0999")
    expect(supervisor.locator("#confirm")).to_be_hidden()

    official.reload()
    withdraw = official.locator("#withdraw")
    withdraw.locator("#w-reason").fill("the sample was another person's")
    withdraw.locator("button[type=submit]").click()
    expect(official.locator("#done")).to_be_visible()
    _state(official, phone.lang, "已确认", "Confirmed")  # nothing changes until approved
    expect(withdraw).to_be_hidden()

    supervisor.reload()
    approve = supervisor.locator("#approve-withdrawal")
    expect(approve).to_contain_text("wang")
    approve.locator("button[type=submit]").click()
    _state(supervisor, phone.lang, "已撤销", "Withdrawn")
    expect(supervisor.locator("#details")).to_contain_text("the sample was another person's")
    other.context.close()
