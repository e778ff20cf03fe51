"""A policy text's runs in the simulated city, in the browser at 360 px in zh and en: checking a
text on the policies page shows the simulator's runs of exactly that text (newest report first,
each linked to its report) or says plainly it was never measured; a supervisor's inbox shows the
same beside each policy proposal, before approving it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from browser_helpers import Phone
from console_pages_helpers import log_in_console
from healthcode.container import Container
from healthcode.settings import Settings
from identity_helpers import add_test_official
from policy_helpers import fever_free_hangzhou, propose_policy
from simulation_reports_helpers import write_reports

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

MEASURED = fever_free_hangzhou(version="2026.6")
NEVER = fever_free_hangzhou(version="2026.7")


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    write_reports(tmp_path / "reports", measured=MEASURED)
    return settings.model_copy(update={"simulation_reports_dir": tmp_path / "reports"})


def _shows_the_runs(section: Locator, zh: bool) -> None:
    expect(section).to_have_attribute("data-runs", "2")
    heads = section.locator("thead th a")
    expect(heads).to_have_count(2)
    assert heads.all_inner_texts() == ["compare-2", "run-1"]
    assert heads.first.get_attribute("href") == "/console/simulations?report=compare-2"
    row = section.locator("tbody tr[data-key='infections']")
    assert row.locator("th").inner_text() == ("感染人数" if zh else "infections")
    assert row.locator("td").all_inner_texts() == ["1,234", "40"]


def _shows_never_measured(section: Locator, zh: bool) -> None:
    expect(section).to_have_attribute("data-runs", "0")
    expect(section.locator(".unmeasured")).to_contain_text(
        "从未在模拟城市中测量" if zh else "never measured in the simulated city"
    )
    expect(section.locator("table")).to_have_count(0)


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_checking_a_text_shows_what_the_simulator_measured_of_it(
    container: Container, phone: Phone
) -> None:
    """The measured text shows its two runs; a one-line change of it was never measured."""
    zh = phone.lang == "zh"
    page = log_in_console(phone, container, add_test_official(container, "wang"))
    page = phone.open("/console/policies", page)
    page.locator("#source").fill(MEASURED)
    page.locator("#check").click()
    expect(page.locator("#done")).to_contain_text("2026.6")
    _shows_the_runs(page.locator("#measured-result section.measured"), zh)
    _fits(page)
    page.locator("#source").fill(NEVER)
    page.locator("#check").click()
    expect(page.locator("#done")).to_contain_text("2026.7")
    _shows_never_measured(page.locator("#measured-result section.measured"), zh)
    _fits(page)


def test_the_approver_sees_the_measures_beside_each_policy_proposal(
    container: Container, phone: Phone
) -> None:
    """In the inbox, the measured text's proposal has its runs and the other a warning."""
    zh = phone.lang == "zh"
    add_test_official(container, "wang")
    reason = "the fever rule is retired"
    ids = {t: propose_policy(container, t, by="wang", reason=reason).id for t in (MEASURED, NEVER)}
    page = log_in_console(phone, container, add_test_official(container, "li", "supervisor"))
    page = phone.open("/console/inbox", page)
    measured = page.locator(f"li[data-proposal='{ids[MEASURED]}'] section.measured")
    _shows_the_runs(measured, zh)
    _shows_never_measured(page.locator(f"li[data-proposal='{ids[NEVER]}'] section.measured"), zh)
    _fits(page)
    measured.locator("thead th a").first.click()
    expect(page.locator("#report-title")).to_have_text("compare-2")
