"""The console's peers page (admins): Shanghai, whose last list was refused as signed by
another root, shows the refusal (its reason in the page's language, its detail and time) and
its syncs by outcome in words, the last good list kept, its age and
refusal count; Beijing, proposed by one admin, is approved on the page by a second and then
listed with no list yet, STALE; an official sees the API's refusal on the whole page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser_helpers import Guard, Phone
from console_admin_helpers import expected_refusals, layout_problems
from console_pages_helpers import log_in_console
from federation_helpers import SHANGHAI, PeerCity, shanghai_refused
from healthcode.container import Container
from healthcode.federation.model import NewPeer
from healthcode.federation.peers import propose_peer
from identity_helpers import add_test_official, principal

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

BEIJING = "110000"


def test_an_admin_sees_a_refused_list_and_approves_a_peer(
    container: Container, phone: Phone
) -> None:
    """The refusal shows with its reason; a second admin approves Beijing on the page."""
    shanghai_refused(container)
    propose_peer(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=principal(container, "peer-admin"),
        peer=NewPeer(BEIJING, "https://beijing.example", PeerCity(BEIJING).root_public),
        serving=container.settings.jurisdiction,
        reason="visitors from Beijing",
    )
    page = log_in_console(phone, container, add_test_official(container, "ada", "admin"))
    phone.open("/console/peers", page)
    shanghai = page.locator(f"[data-peer='{SHANGHAI}']")
    # the refusal in the page's language, its recorded detail kept as it is
    expect(shanghai).to_contain_text(
        "其他根签名" if phone.lang == "zh" else "signed by another root"
    )
    expect(shanghai.locator(".refusal[data-outcome='wrong_root'] code")).to_contain_text(
        "wrong_root"
    )
    syncs = shanghai.locator(
        "dt", has_text="同步结果计数" if phone.lang == "zh" else "Syncs by outcome"
    )
    expect(syncs.locator("xpath=following-sibling::dd[1]")).to_have_text(
        "接受新列表 1 · 其他根签名 1"
        if phone.lang == "zh"
        else "new list accepted 1 · signed by another root 1"
    )
    expect(shanghai).to_contain_text("#5")
    expect(shanghai).to_contain_text("✕")  # the refusal said with a symbol, not colour alone
    refusals = shanghai.locator("dt", has_text="拒绝次数" if phone.lang == "zh" else "Refusals")
    expect(refusals.locator("xpath=following-sibling::dd[1]")).to_have_text("1")
    expect(shanghai).to_contain_text("上海市" if phone.lang == "zh" else "Shanghai")
    expect(shanghai).to_contain_text("02:00:00")  # the list's age: issued two hours ago
    assert shanghai.get_attribute("data-stale") == "false"
    waiting = page.locator("[data-action='add_peer']")
    expect(waiting).to_contain_text(BEIJING)
    expect(waiting).to_contain_text("peer-admin")
    assert layout_problems(page, phone.lang) == []
    waiting.locator("button.approve").click()
    expect(page.locator("#done")).to_be_visible()
    beijing = page.locator(f"[data-peer='{BEIJING}']")
    expect(beijing).to_contain_text("⚠")  # no list yet: STALE, in words and a symbol
    assert beijing.get_attribute("data-stale") == "true"
    expect(page.locator("[data-action='add_peer']")).to_have_count(0)


def test_an_official_sees_the_refusal(container: Container, phone: Phone, guard: Guard) -> None:
    """The peers are the admins': an official's page says what the API refused."""
    page = log_in_console(phone, container, add_test_official(container, "wang", "official"))
    phone.open("/console/peers", page)
    expect(page.get_by_role("alert")).to_contain_text("manage_peers: an official may not do this")
    expect(page.locator("h1")).to_be_visible()
    expected_refusals(guard, 403)
