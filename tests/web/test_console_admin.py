"""The console's risk areas, quarantines and flagged check-ins: an official proposes a risk
area by H3 cells, is refused approving it in the API's words, a supervisor approves it in
another browser, it is listed, then ended early by four eyes; the quarantine ending today comes
first and a release is proposed; a flagged check-in is shown with why and confirmed."""

from __future__ import annotations

import h3
import pytest
from playwright.sync_api import Browser, expect

from browser_helpers import Guard, Phone, ServedApp, new_phone
from console_admin_helpers import expected_refusals, flagged_checkin
from console_pages_helpers import log_in_console
from healthcode.container import Container
from healthcode.kernel.facts import FactKind
from healthcode.oversight import proposals
from healthcode.oversight.model import ProposalStatus
from healthcode.tracing.quarantine import list_quarantines
from identity_helpers import add_test_official, principal
from presence_helpers import WEST_LAKE
from tracing_helpers import (
    confirm,
    hours,
    officials,
    report,
    resident,
    stay,
    traced_case_with_contacts,
    work,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_an_official_declares_a_risk_area_a_supervisor_approves_and_it_is_listed(
    container: Container, phone: Phone, browser: Browser, served: ServedApp, guard: Guard
) -> None:
    """Proposed on the page, waiting for four eyes, approved by a supervisor, then published."""
    zh = phone.lang == "zh"
    cell = h3.latlng_to_cell(*WEST_LAKE, 8)
    page = log_in_console(phone, container, add_test_official(container, "wang"))
    page = phone.open("/console/areas", page)
    expect(page.locator("#areas")).to_have_attribute("aria-busy", "false")
    page.locator("#name").fill("西湖小区")
    page.locator("#level").select_option("high")
    page.locator("#cells").fill(cell)
    page.locator("#reason").fill("three cases in one building")
    page.locator("#declare button[type=submit]").click()
    expect(page.locator("#done")).to_contain_text("等待另一位" if zh else "waiting for a second")
    waiting = page.locator("#pending .record")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("西湖小区")
    expect(waiting).to_contain_text("▲ 高风险" if zh else "▲ High risk")
    # an official may not approve (a supervisor may, never their own): the API's words
    waiting.locator("button[data-approve]").click()
    expect(page.get_by_role("alert")).to_contain_text("decide_proposal: an official may not")
    expected_refusals(guard, 403)

    other = new_phone(browser, served, phone.lang, guard)
    try:
        kit = add_test_official(container, "li", role="supervisor")
        second = other.open("/console/areas", log_in_console(other, container, kit))
        second.locator("#pending .record button[data-approve]").click()
        expect(second.locator("#done")).to_contain_text("已完成" if zh else "Done")
        expect(second.locator("#pending")).to_contain_text("暂无记录" if zh else "Nothing")
    finally:
        other.context.close()

    page.reload()
    listed = page.locator("#areas .record")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("西湖小区")
    expect(listed).to_contain_text(cell)
    expect(listed).to_contain_text("生效中" if zh else "In force")

    # ending it early is four eyes too: proposed here, approved by the supervisor
    listed.locator("summary").click()
    listed.locator("textarea").fill("no new case for 14 days")
    listed.locator("button[type=submit]").click()
    expect(page.locator("#done")).to_contain_text("等待另一位" if zh else "waiting for a second")
    ending = page.locator("#pending .record")
    expect(ending).to_contain_text("提前结束" if zh else "End early")
    proposal_id = ending.get_attribute("data-proposal")
    assert proposal_id is not None
    proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=principal(container, "li"),
        proposal_id=proposal_id,
    )
    page.reload()
    expect(page.locator("#areas")).to_contain_text("暂无记录" if zh else "Nothing")
    page.locator("#include-past").check()
    expect(page.locator("#areas .record")).to_contain_text("已结束" if zh else "Ended")


def test_a_flagged_checkin_is_shown_with_why_and_confirmed(
    container: Container, phone: Phone
) -> None:
    """The check-in 6 km from its venue is listed as such; confirming makes it a presence."""
    zh = phone.lang == "zh"
    subject, checkin_id = flagged_checkin(container)
    page = log_in_console(phone, container, add_test_official(container, "wang"))
    page = phone.open("/console/flagged", page)
    item = page.locator(f'#checkins [data-checkin="{checkin_id}"]')
    expect(item).to_contain_text("签到位置距场所过远" if zh else "Checked in far from the venue")
    expect(item).to_contain_text(subject)
    expect(item).to_contain_text("6.")
    item.locator("button[data-confirm]").click()
    expect(page.locator("#done")).to_contain_text("已确认" if zh else "Confirmed")
    expect(page.locator("#checkins")).to_contain_text("暂无记录" if zh else "Nothing")
    with container.uow() as uow:
        presences = list(uow.facts.for_subject(subject, kinds=[FactKind.PRESENCE]))
    assert len(presences) == 1


def test_quarantines_ending_today_come_first_and_a_release_is_proposed(
    container: Container, phone: Phone
) -> None:
    """A close contact's central order ends today (listed first); a release waits for four eyes."""
    zh = phone.lang == "zh"
    who = officials(container)
    case, later, contact = (resident(container, n) for n in (1, 2, 3))
    now = container.clock.now()
    for subject, ago in ((case, 40), (contact, 40), (case, 10), (later, 10)):
        stay(container, subject, f"cafe-{ago}", now - hours(ago + 1), now - hours(ago))
    case_id = report(container, who["wang"], case, sampled_at=now - hours(2), onset_at=now)
    confirm(container, who["li"], case_id)
    work(container)
    orders = list_quarantines(uow=container.uow(), clock=container.clock, principal=who["wang"])
    ends = sorted((o.order.planned_end, o.order.subject) for o in orders)
    assert [s for _, s in ends] == [contact, later], "the earlier contact's order ends first"
    container.clock.set(ends[0][0] - hours(1))  # type: ignore[attr-defined]
    page = log_in_console(phone, container, add_test_official(container, "zhou"))
    page = phone.open("/console/quarantines", page)
    first = page.locator("#quarantines .record").first
    expect(first).to_contain_text("今日结束" if zh else "Ends today")
    expect(first).to_contain_text(contact)
    expect(page.locator("#quarantines .record.today")).to_have_count(1)
    expect(page.locator("#count")).to_have_text(
        "显示 2 / 共 2 条隔离令" if zh else "2 of 2 orders shown"
    )
    expect(page.locator("#more")).to_be_hidden()
    # the reason in words, the case by a link to its page
    expect(first).to_contain_text(
        f"密切接触者 · 病例 {case_id[:8]}…" if zh else f"Close contact · case {case_id[:8]}…"
    )
    expect(first.locator(f'a[href="/console/cases/{case_id}"]')).to_be_visible()
    assert "close_contact" not in (first.text_content() or "")
    first.locator("summary").click()
    first.locator("textarea").fill("negative PCR twice, released by the district")
    first.locator("button[type=submit]").click()
    expect(page.locator("#done")).to_contain_text("等待另一位" if zh else "waiting for a second")
    with container.uow() as uow:
        [waiting] = uow.proposals.list(status=ProposalStatus.PENDING, jurisdiction="330100")
    assert (waiting.kind, waiting.subject) == ("release_quarantine", contact)


def test_a_long_list_of_quarantines_comes_a_page_at_a_time(
    container: Container, phone: Phone
) -> None:
    """Fifty orders a page, with the count of them all; "Show more" brings the rest."""
    zh = phone.lang == "zh"
    who = officials(container)
    traced_case_with_contacts(container, who, contacts=52)
    total = len(list_quarantines(uow=container.uow(), clock=container.clock, principal=who["wang"]))
    assert total >= 52
    page = log_in_console(phone, container, add_test_official(container, "zhou"))
    page = phone.open("/console/quarantines", page)
    expect(page.locator("#quarantines .record")).to_have_count(50)
    expect(page.locator("#count")).to_have_text(
        f"显示 50 / 共 {total} 条隔离令" if zh else f"50 of {total} orders shown"
    )
    page.locator("#more").click()
    expect(page.locator("#quarantines .record")).to_have_count(total)
    expect(page.locator("#count")).to_have_text(
        f"显示 {total} / 共 {total} 条隔离令" if zh else f"{total} of {total} orders shown"
    )
    expect(page.locator("#more")).to_be_hidden()
