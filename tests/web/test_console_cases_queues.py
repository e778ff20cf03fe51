"""The console's four-eyes inbox and appeals queue in the browser: a supervisor approves a
proposal another official made (their own waits for someone else); the appeals queue flags an
overdue appeal with a word and a symbol, upholds it with a reason and proposes a correction;
and the casework pages fit 360 px with their controls labelled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect

from appeals_helpers import appeal, red_resident
from appeals_helpers import resident as appeals_resident
from browser_helpers import Guard, Phone, ServedApp, new_phone
from console_pages_helpers import log_in_console
from healthcode.appeals.filing import file_appeal
from healthcode.appeals.model import AppealFiling
from healthcode.container import Container
from healthcode.kernel.facts import Colour
from healthcode.oversight.access import Principal, Role
from healthcode.status.batch import current_colours
from healthcode.status.test_results import record_test_result
from healthcode.tracing import cases
from healthcode.tracing.quarantine import propose_release
from identity_helpers import add_test_official, principal
from status_helpers import propose_positive_pcr
from tracing_helpers import hours, report, resident

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

# the controls of the page without an accessible name: a label, aria-label or aria-labelledby
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label')
    && !c.getAttribute('aria-labelledby') && !(c.tagName === 'BUTTON' && c.textContent.trim()))
  .map((c) => c.outerHTML)"""


def test_the_inbox_approves_another_officials_proposal_never_ones_own(
    container: Container, phone: Phone
) -> None:
    """wang's report is approved from li's inbox; li's own report offers no approval."""
    add_test_official(container, "wang")
    li = add_test_official(container, "li", "supervisor")
    now = container.clock.now()
    theirs = report(
        container, principal(container, "wang"), resident(container, 31), sampled_at=now - hours(3)
    )
    own = report(
        container, principal(container, "li"), resident(container, 32), sampled_at=now - hours(3)
    )

    page = log_in_console(phone, container, li)
    phone.open("/console/inbox", page)
    waiting = page.locator("#proposals > li")
    expect(waiting).to_have_count(2)
    mine = page.locator("#proposals > li", has_text="HZ-PCR-0001").filter(
        has=page.locator(".yours")
    )
    expect(mine).to_have_count(1)
    expect(mine.locator("button")).to_have_count(0)
    other = page.locator("#proposals > li").filter(has=page.locator("button.approve"))
    expect(other).to_have_count(1)
    expect(other).to_contain_text("wang")
    # what it would do, each field in the page's words
    expect(other).to_contain_text(
        "检测编号: HZ-PCR-" if phone.lang == "zh" else "test reference: HZ-PCR-"
    )
    other.locator("input[name=note]").fill("PCR checked with the lab")
    other.locator("button.approve").click()
    expect(page.locator("#done")).to_contain_text("已批准" if phone.lang == "zh" else "Approved")
    expect(waiting).to_have_count(1)

    # wang's case is confirmed; li's own waits for someone else
    shown = cases.get_case(
        uow=container.uow(),
        clock=container.clock,
        principal=principal(container, "wang"),
        case_id=theirs,
    )
    assert shown.state.value == "confirmed"
    still = cases.get_case(
        uow=container.uow(),
        clock=container.clock,
        principal=principal(container, "wang"),
        case_id=own,
    )
    assert still.state.value == "reported"


def test_a_release_in_the_inbox_names_the_rules_it_clears_in_the_policys_words(
    container: Container, phone: Phone
) -> None:
    """A quarantine release shows each rule it would clear as the policy words it, with its id."""
    add_test_official(container, "wang")
    li = add_test_official(container, "li", "supervisor")
    contact = resident(container, 33)
    propose_release(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=principal(container, "wang"),
        subject=contact,
        reason="negative PCR twice",
    )
    page = log_in_console(phone, container, li)
    phone.open("/console/inbox", page)
    release = page.locator('#proposals > li[data-action="release_quarantine"]')
    expect(release).to_contain_text(
        "密切接触者，集中隔离14天 (close-contact)"
        if phone.lang == "zh"
        else "Close contact - 14 days of quarantine (close-contact)"
    )
    expect(release).to_contain_text(
        "密接的密接，隔离观察 (secondary-contact)"
        if phone.lang == "zh"
        else "Contact of a close contact - isolation (secondary-contact)"
    )


def test_a_test_result_entered_by_hand_waits_in_the_inbox_in_words(
    container: Container, phone: Phone
) -> None:
    """wang's positive PCR shows in words in li's inbox; approved there, the person is red."""
    add_test_official(container, "wang")
    li = add_test_official(container, "li", "supervisor")
    person = resident(container, 34)
    sampled = container.clock.now() - hours(5)
    propose_positive_pcr(
        container,
        "wang",
        subject=person,
        sampled_at=sampled.isoformat(),
        reason="Hangzhou CDC laboratory, HZ-PCR-0042",
    )
    assert (
        current_colours(uow=container.uow(), clock=container.clock, subjects=[person])[person]
        is Colour.GREEN
    )
    page = log_in_console(phone, container, li)
    phone.open("/console/inbox", page)
    item = page.locator('#proposals > li[data-action="record_test_result"]')
    zh = phone.lang == "zh"
    expect(item.locator("h3")).to_have_text("录入检测结果" if zh else "Record a test result")
    expect(item).to_contain_text(
        "检测类型: 核酸检测; 结果: 阳性" if zh else "test: PCR; result: positive"
    )
    item.locator("button.approve").click()
    expect(page.locator("#done")).to_be_visible()
    assert (
        current_colours(uow=container.uow(), clock=container.clock, subjects=[person])[person]
        is Colour.RED
    )


def test_the_appeals_queue_flags_an_overdue_appeal_and_answers_it(
    container: Container, phone: Phone, browser: Browser, served: ServedApp, guard: Guard
) -> None:
    """An overdue appeal comes first, flagged ⚠ overdue, is upheld; the other corrected (4 eyes)."""
    scene = red_resident(container, 41)
    late = appeal(container, scene, "the positive test was not mine")
    container.clock.advance(timedelta(hours=7))  # past the 6 h deadline
    second = appeals_resident(container, 42)
    record_test_result(
        uow=container.uow(),
        clock=container.clock,
        subject=second,
        test_kind="pcr",
        result="positive",
        sampled_at=container.clock.now() - timedelta(hours=1),
    )
    fresh = file_appeal(
        uow=container.uow(),
        clock=container.clock,
        principal=Principal(role=Role.CITIZEN, id=second, channel="website"),
        filing=AppealFiling(reason="I was abroad that week", evidence=None),
    )

    page = log_in_console(phone, container, scene.kits["wang"])
    phone.open("/console/appeals", page)
    items = page.locator("#appeals > li[data-appeal]")
    expect(items).to_have_count(2)
    first = items.nth(0)
    expect(first).to_have_attribute("data-appeal", late.id)  # soonest deadline first
    word = "已逾期" if phone.lang == "zh" else "overdue"
    expect(first.locator(".overdue-flag")).to_have_text(word)
    expect(first.locator("h3")).to_contain_text(f"⚠ {word}")
    expect(items.nth(1)).to_have_attribute("data-appeal", fresh.id)
    expect(items.nth(1).locator(".overdue-flag")).to_have_count(0)

    first.locator(".uphold textarea").fill("the clinic confirmed the sample is yours")
    first.locator(".uphold button[type=submit]").click()
    expect(page.locator("#done")).to_be_visible()
    expect(items).to_have_count(1)

    left = items.nth(0)
    left.locator(".correct input[name=reason]").fill("abroad: the sample was another person's")
    left.locator(".correct button[type=submit]").click()
    expect(page.locator("#done a[href='/console/inbox']")).to_be_visible()

    # a supervisor, in another context, approves the correction from the inbox
    other = new_phone(browser, served, phone.lang, guard)
    supervisor = log_in_console(other, container, scene.kits["li"])
    other.open("/console/inbox", supervisor)
    answer = supervisor.locator('#proposals > li[data-action="answer_appeal"]')
    expect(answer).to_contain_text(fresh.id[:8])
    answer.locator("button.approve").click()
    expect(supervisor.locator("#done")).to_be_visible()
    other.context.close()
    page.locator("#reload").click()
    expect(items).to_have_count(0)
    page.locator("#include-decided").check()
    corrected = page.locator(f'#appeals > li[data-appeal="{fresh.id}"]')
    expect(corrected).to_have_attribute("data-state", "corrected")


def test_the_casework_pages_fit_360_px_and_label_their_controls(
    container: Container, phone: Phone
) -> None:
    """Cases, a case, the inbox and the appeals queue: 360 px, one h1, labelled, language."""
    scene = red_resident(container, 51)
    appeal(container, scene)
    now = container.clock.now()
    case_id = report(
        container, scene.officials["wang"], resident(container, 52), sampled_at=now - hours(2)
    )
    page = log_in_console(phone, container, scene.kits["li"])
    problems: list[str] = []
    for path in (
        "/console/cases",
        f"/console/cases/{case_id}",
        "/console/inbox",
        "/console/appeals",
    ):
        phone.open(path, page)
        page.wait_for_load_state("networkidle")
        if page.evaluate("document.documentElement.scrollWidth") > 360:
            problems.append(f"{path}: wider than 360 px")
        if page.evaluate("document.documentElement.lang") != phone.lang:
            problems.append(f"{path}: lang is not {phone.lang}")
        if page.locator("h1").count() != 1:
            problems.append(f"{path}: not one h1")
        problems.extend(f"{path}: unlabelled {html}" for html in page.evaluate(UNLABELLED))
    assert problems == []
