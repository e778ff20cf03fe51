"""The console's dashboard and map in the browser, in zh and en at 360 x 740: an official sees
the charts and tables of a seeded week with its figures, and the map draws the cell of the
seeded risk area from its boundary, with the count under 3 left out; nothing leaves loopback and
no console error is logged (the ``phone`` fixture fails the test otherwise)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser_helpers import Phone
from console_pages_helpers import log_in_console
from dashboard_helpers import a_week
from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from identity_helpers import add_test_official

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

# the controls of the page without an accessible name (as tests/web/test_pages_at_360.py)
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label')
    && !c.getAttribute('aria-labelledby') && !(c.tagName === 'BUTTON' && c.textContent.trim()))
  .map((c) => c.outerHTML)"""


def _fits(page: Page, lang: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.locator("h1").count() == 1
    assert page.evaluate(UNLABELLED) == []


def _row(page: Page, table: str, day: str) -> list[str]:
    row = page.locator(f"#{table} tbody tr[data-day='{day}']")
    return [cell.strip() for cell in row.locator("td").all_inner_texts()]


def test_an_official_sees_the_dashboard_of_a_seeded_week(
    container: Container, clock: FixedClock, phone: Phone
) -> None:
    """The tiles, both charts and their tables show the seeded week's figures."""
    a_week(container, clock)
    page = log_in_console(phone, container, add_test_official(container, "tracer.zhou"))
    expect(page.locator("body[data-ready='dashboard']")).to_be_attached()
    expect(page.locator("#flagged")).to_have_text("1")
    expect(page.locator("#proposals")).to_have_text("1")
    expect(page.locator("#proposal-kinds")).to_contain_text("confirm_case: 1")
    expect(page.locator("#quarantines-today")).to_have_text("0")
    colours = page.locator("#colours-chart svg[role='img']")
    expect(colours.locator("polyline")).to_have_count(3)
    label = colours.get_attribute("aria-label") or ""
    assert ("✓ 绿 2" if phone.lang == "zh" else "✓ green 2") in label
    assert ("✕ 红 7" if phone.lang == "zh" else "✕ red 7") in label
    expect(page.locator("#colours-chart figcaption")).to_contain_text("!")
    cases = page.locator("#cases-chart svg[role='img']")
    expect(cases.locator("rect[data-day='2026-03-02'][data-kind='confirmed']")).to_have_count(1)
    assert "4" in (cases.get_attribute("aria-label") or "")
    page.locator("#colours-chart + details summary").click()
    page.locator("#cases-chart + details summary").click()
    assert _row(page, "colours-table", "2026-03-03") == ["2", "0", "7"]
    assert _row(page, "colours-table", "2026-03-01") == ["9", "0", "0"]
    assert _row(page, "cases-table", "2026-03-02") == ["4", "4"]
    assert _row(page, "cases-table", "2026-03-03") == ["1", "0"]
    _fits(page, phone.lang)


def test_the_map_draws_the_risk_areas_cell_and_hides_small_counts(
    container: Container, clock: FixedClock, phone: Phone
) -> None:
    """The risk area's cell is drawn from its corners with its counts; the lone case's is not."""
    week = a_week(container, clock)
    page = log_in_console(phone, container, add_test_official(container, "tracer.zhou"))
    phone.open("/console/map", page)
    expect(page.locator("body[data-ready='map']")).to_be_attached()
    cell = week.places.restaurant.cell
    drawn = page.locator(f"#map svg g[data-cell='{cell}'] polygon")
    expect(drawn).to_have_count(1)
    assert len((drawn.get_attribute("points") or "").split()) == 6
    expect(page.locator("#map svg g[data-cell]")).to_have_count(1)
    expect(page.locator(f"#map svg g[data-cell='{cell}'] text")).to_have_text(
        "高 3" if phone.lang == "zh" else "H 3"
    )
    row = page.locator(f"#cells tbody tr[data-cell='{cell}'] td")
    expect(row).to_have_text([cell, "高风险" if phone.lang == "zh" else "high risk", "3", "6"])
    expect(page.locator("#suppressed")).to_contain_text("3")
    expect(page.locator("#areas")).to_contain_text("西湖餐馆区")
    page.locator("#measure").select_option("exposures")
    expect(page.locator(f"#map svg g[data-cell='{cell}'] text")).to_have_text(
        "高 6" if phone.lang == "zh" else "H 6"
    )
    page.locator("#days").select_option("7")
    expect(page.locator("#as-of")).to_contain_text("(7)")
    _fits(page, phone.lang)
    assert week.places.hospital.cell not in page.content()
