"""A resident visiting a peer city checks in there on their own code: the code page links each
peer city's /visit with the code shown in the address's fragment; the visited city's page takes
it (out of the address, kept for the tab), sends it with a place code and the phone's position,
and shows pass or stop, the venue and the issuing city; an expired code is refused with how to
bring a fresh one. Two instances served on loopback, in a real browser, in zh and en."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from browser_helpers import Guard, Phone, ServedApp
from citizen_pages_helpers import log_in, verified_citizen
from federation_helpers import add_peer, app_fetcher, city_instance, root_key_text
from healthcode.app import create_app
from healthcode.container import Container
from healthcode.federation.model import NewPeer, parse_root_key
from healthcode.federation.sync import sync_all
from healthcode.presence.model import Venue
from healthcode.presence.venues import VenueDetails, add_organisation, add_venue
from visitors_helpers import BEIJING, HANGZHOU, TIANANMEN

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

PHONE_NUMBER = "13900008888"
RESTAURANT = {"zh": "全聚德", "en": "Quanjude"}


@pytest.fixture
def beijing(
    container: Container, served: ServedApp, tmp_path: Path, sqlite_template: Path
) -> Iterator[tuple[Container, ServedApp]]:
    """Beijing served on its own port, each city the other's peer at its served address, and
    Beijing holding Hangzhou's list."""
    verified_citizen(container, PHONE_NUMBER, 61)  # Hangzhou's keys and a citizen
    with city_instance(
        tmp_path / "beijing", sqlite_template, jurisdiction=BEIJING, clock=container.clock
    ) as city:
        site = ServedApp(create_app(container=city))
        try:
            add_peer(
                container,
                NewPeer(BEIJING, site.base, parse_root_key(root_key_text(city))),
                proposer="hz-admin",
            )
            add_peer(
                city,
                NewPeer(HANGZHOU, served.base, parse_root_key(root_key_text(container))),
                proposer="bj-admin",
            )
            with TestClient(create_app(container=container)) as hangzhou:
                sync_all(
                    uow_factory=city.uow,
                    clock=city.clock,
                    fetcher=app_fetcher(hangzhou)(),
                    clock_skew=city.settings.clock_skew,
                )
            yield city, site
        finally:
            site.stop()


def _restaurant(city: Container) -> Venue:
    org = add_organisation(uow=city.uow(), clock=city.clock, jurisdiction=BEIJING, name="全聚德")
    return add_venue(
        uow=city.uow(),
        clock=city.clock,
        private_keys=city.private_keys,
        jurisdiction=BEIJING,
        details=VenueDetails(
            organisation_id=org.id,
            name_zh=RESTAURANT["zh"],
            name_en=RESTAURANT["en"],
            kind="restaurant",
            lat=TIANANMEN[0],
            lon=TIANANMEN[1],
        ),
    )


def test_a_visitor_checks_in_at_a_peer_city_on_the_code_their_page_shows(
    container: Container,
    phone: Phone,
    guard: Guard,
    beijing: tuple[Container, ServedApp],
) -> None:
    """From the code page to Beijing's /visit with the code; checked in there; expired refused."""
    city, site = beijing
    zh = phone.lang == "zh"
    venue = _restaurant(city)
    phone.context.grant_permissions(["geolocation"], origin=site.base)
    phone.context.set_geolocation({"latitude": TIANANMEN[0], "longitude": TIANANMEN[1]})
    page = log_in(phone, PHONE_NUMBER)
    link = page.locator("a.visit-link")
    expect(link).to_have_text("北京市" if zh else "Beijing")
    expect(link).to_have_attribute("href", re.compile(rf"^{site.base}/visit\?lang=\w+#code=HZ2"))

    link.click()
    expect(page).to_have_url(f"{site.base}/visit?lang={phone.lang}")  # the code left the address
    expect(page.locator("#home-code")).to_have_value(re.compile(r"^HZ2:"))
    expect(page.locator("#code-came")).to_be_visible()
    page.locator("#place-code").fill(venue.place_code)
    page.locator("#typed button[type=submit]").click()
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#done-verdict")).to_contain_text("✓")
    expect(page.locator("#done-venue")).to_have_text(RESTAURANT[phone.lang])
    expect(page.locator("#done-issuer")).to_have_text("杭州市" if zh else "Hangzhou")
    expect(page.locator("#done-not-kept")).to_be_hidden()
    with city.uow() as uow:
        [kept] = uow.visitors.presences_at(
            {venue.id},
            start=city.clock.now() - timedelta(hours=1),
            end=city.clock.now() + timedelta(hours=1),
        )
    assert (kept.visitor.split("/")[0], kept.source) == (HANGZHOU, "checkin")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # the other language keeps the code for this tab; once it has expired it is refused
    page.locator("a.lang").click()
    expect(page.locator("#home-code")).to_have_value(re.compile(r"^HZ2:"))
    container.clock.advance(timedelta(minutes=10))  # type: ignore[attr-defined]
    page.locator("#place-code").fill(venue.place_code)
    page.locator("#typed button[type=submit]").click()
    expect(page.locator("#problem")).to_contain_text("code")
    expect(page.locator("#code-hint")).to_be_visible()
    expect(page.locator("#done")).to_be_hidden()
    refusal = re.compile(r"status of 4\d\d .*/api/v1/visitors/checkins")
    assert len([e for e in guard.errors if refusal.search(e)]) == 1
    guard.errors[:] = [e for e in guard.errors if not refusal.search(e)]


def test_the_visit_page_without_a_code_or_a_position_sends_nothing(phone: Phone) -> None:
    """Opened alone, it waits for a pasted code; without the position it says it needs it."""
    page = phone.open("/visit")
    expect(page.locator("h1")).to_have_text(
        "外地来访登记" if phone.lang == "zh" else "Check in as a visitor"
    )
    expect(page.locator("#home-code")).to_have_value("")
    expect(page.locator("#code-came")).to_be_hidden()
    page.locator("#place-code").fill("HZP1:ANY")
    page.locator("#typed button[type=submit]").click()
    expect(page.locator("#done")).to_be_hidden()
    expect(page.locator("#problem")).to_be_hidden()
    page.locator("#home-code").fill("HZ2:PASTED")  # this phone does not share its position
    page.locator("#typed button[type=submit]").click()
    expect(page.locator("#problem")).to_have_text(
        "需要手机位置才能登记：请允许使用位置信息。"
        if phone.lang == "zh"
        else "Checking in needs your phone's position: allow location access."
    )
    expect(page.locator("#done")).to_be_hidden()
