"""The public rules page: every rule of the policy in force under the colour it gives, in the
page's language, with what clears it; it follows an activation and is linked from the start
page and the citizen's code."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from browser_helpers import Phone
from healthcode.container import Container
from policy_helpers import activate_by_four_eyes, fever_free_hangzhou

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_the_rules_page_lists_every_rule_under_its_colour_in_chinese(client: TestClient) -> None:
    """With no login, each bundled rule stands under red or yellow in Chinese with its clearing."""
    answer = client.get("/rules")
    assert answer.status_code == 200
    page = answer.text
    assert '<dd id="policy-version">2020.2</dd>' in page
    red, yellow = page.index('id="red-rules"'), page.index('id="yellow-rules"')
    close = page.index('data-rule="close-contact"')
    secondary = page.index('data-rule="secondary-contact"')
    assert red < close < yellow < secondary, "close contacts red, their contacts yellow"
    assert "✕ 红码: 密切接触者，集中隔离14天" in page
    assert "连续14天健康打卡正常后转绿" in page
    assert 'data-notice="identity-recheck"' in page
    assert "提醒期间不显示健康码" in page


def test_the_rules_page_speaks_english_and_names_the_override(client: TestClient) -> None:
    """In English the rules read in English; an override's colour is the one officials set."""
    page = client.get("/rules?lang=en").text
    assert "Close contact - 14 days of quarantine" in page
    assert "Green after 14 consecutive days of normal daily check-ins" in page
    assert "密切接触者" not in page
    override = page[page.index('id="other-rules"') :]
    assert "The colour health officials set" in override


def test_the_rules_page_shows_the_version_activated(
    container: Container, client: TestClient
) -> None:
    """Once a version without the fever rule is in force, the page shows it and not the rule."""
    assert 'data-rule="fever"' in client.get("/rules").text
    activate_by_four_eyes(container, fever_free_hangzhou(version="2026.7"))
    page = client.get("/rules").text
    assert '<dd id="policy-version">2026.7</dd>' in page
    assert 'data-rule="fever"' not in page


@pytest.mark.browser
def test_the_start_page_leads_to_the_rules(phone: Phone) -> None:
    """From the start page the rules open, each with its colour's border and what clears it."""
    page = phone.open("/")
    page.locator('a[href="/rules"]').click()
    expect(page.locator("h1")).to_have_text(
        "健康码规则" if phone.lang == "zh" else "How a code's colour is decided"
    )
    rule = page.locator('[data-rule="close-contact"]')
    expect(rule).to_have_class("reason colour-red")
    expect(rule).to_contain_text("如何转绿" if phone.lang == "zh" else "What clears it")
