"""The console's administrative pages at 360 x 740 in zh and en, with records on them: none
wider than the screen, one h1, every control labelled, the language declared; a role the API
refuses on a page sees the refusal in an alert, with the page whole around it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser_helpers import Guard, Phone
from console_admin_helpers import ADMIN_PAGES, expected_refusals, flagged_checkin, layout_problems
from console_pages_helpers import log_in_console
from healthcode.container import Container
from identity_helpers import add_test_official

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_every_admin_page_fits_360_px_and_labels_its_controls(
    container: Container, phone: Phone, guard: Guard
) -> None:
    """Each page, a supervisor logged in, fits 360 px with one h1 and labelled controls."""
    flagged_checkin(container)
    page = log_in_console(phone, container, add_test_official(container, "li", "supervisor"))
    problems: list[str] = []
    for path in ADMIN_PAGES:
        phone.open(path, page)
        page.wait_for_load_state("networkidle")
        problems.extend(layout_problems(page, phone.lang))
    assert problems == []
    expected_refusals(guard, 403)  # a supervisor may not verify the access log (auditors only)


@pytest.mark.parametrize(
    ("role", "path", "action"),
    [
        ("auditor", "/console/flagged", "review_checkins"),
        ("auditor", "/console/policies", "propose_policy"),
        ("admin", "/console/quarantines", "read_quarantines"),
    ],
)
def test_a_refused_role_sees_the_apis_refusal(
    container: Container, phone: Phone, guard: Guard, role: str, path: str, action: str
) -> None:
    """The page stays whole and says in an alert, in its language, what the API refused and why."""
    page = log_in_console(phone, container, add_test_official(container, "he", role))
    page = phone.open(path, page)
    article = "an" if role[0] in "aeiou" else "a"
    kind = "无权进行此操作：" if phone.lang == "zh" else "Not allowed: "
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text(f"{kind}{action}: {article} {role} may not do this")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#who")).to_contain_text("he")
    expected_refusals(guard, 403)
