"""The console's policies and access-log pages: a policy with a wrong tracing value is refused
naming the field, a good one (uploaded as a file) shows who would change colour and is proposed
for activation; an auditor verifies the chain and reads a person's access log; an official on
the auditors' page sees the API's refusal."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser_helpers import Guard, Phone
from console_admin_helpers import expected_refusals, flagged_checkin
from console_pages_helpers import log_in_console
from healthcode.container import Container
from healthcode.oversight.model import ProposalStatus
from healthcode.presence.checkins import flagged_checkins
from healthcode.status.declarations import declare_health
from identity_helpers import add_test_official, principal
from policy_helpers import bundled_source, fever_free_hangzhou, with_bad_tracing
from presence_helpers import person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_a_bad_policy_is_refused_by_field_and_a_good_one_shows_its_impact(
    container: Container, phone: Phone, guard: Guard
) -> None:
    """The wrong tracing key is named; the fever-free policy turns the feverish person green."""
    zh = phone.lang == "zh"
    feverish = person(container, 1)
    person(container, 2)
    declare_health(uow=container.uow(), clock=container.clock, subject=feverish, temperature=38.4)
    page = log_in_console(phone, container, add_test_official(container, "wang", "supervisor"))
    page = phone.open("/console/policies", page)
    expect(page.locator("#in-force")).to_contain_text(
        "本市内置规则" if zh else "the city's bundled policy"
    )

    page.locator("#source").fill(with_bad_tracing(bundled_source("330100", version="2026.1")))
    page.locator("#check").click()
    expect(page.get_by_role("alert")).to_contain_text("tracing.venue.min_overlap_minutes")
    expected_refusals(guard, 422)

    good = fever_free_hangzhou(version="2026.2").encode()
    page.locator("#file").set_input_files(
        files=[{"name": "hangzhou.yaml", "mimeType": "text/yaml", "buffer": good}]
    )
    expect(page.locator("#source")).to_have_value(good.decode())
    page.locator("#check").click()
    expect(page.locator("#done")).to_contain_text("2026.2")
    expect(page.get_by_role("alert")).to_be_hidden()
    page.locator("#impact").click()
    result = page.locator("#impact-result")
    expect(result).to_be_visible()
    expect(result).to_contain_text("2026.2")
    expect(result.locator('#moves tr[data-to="green"]')).to_contain_text("1")
    expect(result).to_contain_text("✓ 绿码: 1" if zh else "✓ Green code: 1")

    page.locator("#reason").fill("fever no longer turns anyone yellow")
    page.locator("#activate").click()
    expect(page.locator("#done")).to_contain_text("等待另一位" if zh else "waiting for a second")
    with container.uow() as uow:
        [waiting] = uow.proposals.list(status=ProposalStatus.PENDING, jurisdiction="330100")
    assert waiting.kind == "activate_policy"
    assert waiting.payload["version"] == "2026.2"


def test_an_auditor_verifies_the_chain_and_reads_a_persons_access_log(
    container: Container, phone: Phone
) -> None:
    """The chain is intact; the person's log names the official who read their check-in."""
    zh = phone.lang == "zh"
    subject, _ = flagged_checkin(container)
    add_test_official(container, "wang")
    assert flagged_checkins(
        uow=container.uow(), clock=container.clock, principal=principal(container, "wang")
    )
    page = log_in_console(phone, container, add_test_official(container, "audit.he", "auditor"))
    page = phone.open("/console/access-log", page)
    expect(page.locator("#chain")).to_contain_text("完整" if zh else "Intact")
    page.locator("#subject").fill(subject)
    page.locator("#by-subject button[type=submit]").click()
    record = page.locator("#records .record").last
    expect(record).to_contain_text("wang")
    expect(record).to_contain_text("防疫工作人员" if zh else "official")
    expect(record).to_contain_text("flagged check-ins")
    page.locator("#break-glass button[type=submit]").click()
    expect(page.locator("#glass")).to_contain_text("暂无记录" if zh else "Nothing")


def test_an_official_on_the_auditors_page_sees_the_refusal(
    container: Container, phone: Phone, guard: Guard
) -> None:
    """An official may not read the access log: the page says so in the API's words."""
    page = log_in_console(phone, container, add_test_official(container, "wang"))
    page = phone.open("/console/access-log", page)
    expect(page.get_by_role("alert")).to_contain_text("verify_audit_log")
    expect(page.locator("h1")).to_be_visible()
    expected_refusals(guard, 403)
