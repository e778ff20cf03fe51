"""The start page says what the instance is and links the faces; /docs works with nothing
fetched from outside loopback (its Swagger UI is served from the package)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from browser_helpers import Phone
from healthcode.container import Container
from presence_helpers import keys

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_start_page_names_the_city_policy_and_trust_list(
    container: Container, phone: Phone
) -> None:
    """/ shows the city, the policy version in force and the trust list's sequence number."""
    keys(container)
    page = phone.open("/")
    expect(page.locator("#city")).to_contain_text("杭州市" if phone.lang == "zh" else "Hangzhou")
    expect(page.locator("#policy-version")).to_have_text("2020.2")
    expect(page.locator("#trust-list")).to_contain_text(re.compile(r"^\s*0\b"))
    # signed when the keys were made, in the city's time (the test clock's, UTC+8), not in UTC
    signed = container.clock.now().astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    expect(page.locator("#trust-list")).to_contain_text(
        f"签发于 {signed}" if phone.lang == "zh" else f"signed {signed}"
    )
    expect(page.locator("html")).to_have_attribute("lang", phone.lang)
    page.get_by_role("link", name=re.compile("我的健康码|My health code")).click()
    expect(page).to_have_url(re.compile(r"/citizen/login$"))


def test_start_page_without_keys_says_how_to_make_them(phone: Phone) -> None:
    """Before ``keys init`` the start page says no key may sign, and how to make one."""
    page = phone.open("/")
    expect(page.locator("#trust-list")).to_contain_text("healthcode keys init")


def test_docs_load_offline_from_the_package(phone: Phone) -> None:
    """/docs renders the API's operations with every asset from this server."""
    page = phone.open("/docs")
    # 1.8 MB of Swagger UI to parse: slow on a loaded machine
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("healthcode", timeout=30_000)
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
