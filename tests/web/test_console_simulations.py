"""The console's simulations page in the browser, in zh and en at 360 x 740: an official sees
the reports of the configured folder, newest first, opens the comparison and reads its table
(a column a policy, the measures in the page's language) and both plots; nothing leaves
loopback and no console error is logged (the ``phone`` fixture fails the test otherwise)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser_helpers import Phone
from console_pages_helpers import log_in_console
from healthcode.container import Container
from healthcode.settings import Settings
from identity_helpers import add_test_official
from simulation_reports_helpers import write_reports

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label')
    && !c.getAttribute('aria-labelledby') && !(c.tagName === 'BUTTON' && c.textContent.trim()))
  .map((c) => c.outerHTML)"""


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    write_reports(tmp_path / "reports")
    return settings.model_copy(update={"simulation_reports_dir": tmp_path / "reports"})


def _fits(page: Page, lang: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.locator("h1").count() == 1
    assert page.evaluate(UNLABELLED) == []


def test_an_official_opens_a_comparison_from_the_console(
    container: Container, phone: Phone
) -> None:
    """The navigation leads to the list (newest first); the comparison's table and plots show."""
    page = log_in_console(phone, container, add_test_official(container, "tracer.zhou"))
    page.locator("nav.console-nav a[href='/console/simulations']").click()
    expect(page.locator("body[data-ready='simulations']")).to_be_attached()
    links = page.locator("#reports a[data-report]")
    expect(links).to_have_count(2)
    assert [links.nth(i).inner_text() for i in range(2)] == ["compare-2", "run-1"]
    expect(page.locator("#report")).to_be_hidden()
    links.first.click()
    expect(page.locator("body[data-ready='simulations']")).to_be_attached()
    expect(page.locator("#report-title")).to_have_text("compare-2")
    heads = page.locator("#report-table thead th").all_inner_texts()
    assert heads[1:] == ["hangzhou", "strict"]
    row = page.locator("#report-table tbody tr[data-key='infections']")
    assert row.locator("th").inner_text() == ("感染人数" if phone.lang == "zh" else "infections")
    assert row.locator("td").all_inner_texts() == ["40", "1,234"]
    plots = page.locator("#report-plots figure img")
    expect(plots).to_have_count(2)
    for n in range(2):
        assert plots.nth(n).evaluate("(img) => img.complete && img.naturalWidth > 0")
    caption = (
        "按运行天数的每日新增感染" if phone.lang == "zh" else "New infections per day of the run"
    )
    expect(page.locator("#report-plots figure[data-plot='infections'] figcaption")).to_have_text(
        caption
    )
    _fits(page, phone.lang)
