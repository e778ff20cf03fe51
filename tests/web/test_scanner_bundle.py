"""The scanner with another city's codes, in Chromium: the server holds Shanghai's list (a
peer), the scanner fetches the trust bundle, then with the network off it passes a Shanghai
green code at an office and stops it at a hospital, naming the acceptance rule of the policy
in force; the page shows how old each city's list is."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Browser, expect

from browser_helpers import Guard, ServedApp, new_phone
from federation_helpers import SHANGHAI_URL, FakeFetcher, PeerCity, add_shanghai
from healthcode.app import create_app
from healthcode.container import Container
from healthcode.federation.sync import sync_all
from healthcode.policies.versions import activate_policy
from healthcode.presence.venues import VenueDetails, add_venue
from policy_helpers import bundled_source
from presence_helpers import T0, WEST_LAKE, city
from scanner_helpers import enrol

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

VISITORS = "    - {id: visitors-green, issuers: [any], colours: [green]}\n"
HOSPITALS = "    - {id: hospitals-own-codes-only, issuers: [any], kinds: [hospital], colours: []}\n"


def _hangzhou_like_beijing(container: Container) -> None:
    """Hangzhou's policy in force with Beijing's rule: visitors' codes not at hospitals."""
    source = bundled_source("330100", version="2020.9")
    assert VISITORS in source
    with container.uow() as uow:
        activate_policy(
            uow,
            clock=container.clock,
            source=source.replace(VISITORS, HOSPITALS + VISITORS),
            activated_by="a",
            approved_by="b",
        )
        uow.commit()


def _shanghai_held(container: Container, *, issued_at: datetime) -> PeerCity:
    """Shanghai added as a peer and its list (sequence 4, issued at ``issued_at``) held."""
    shanghai = PeerCity()
    add_shanghai(container, shanghai)
    fetcher = FakeFetcher()
    fetcher.served[SHANGHAI_URL] = shanghai.trust_list(sequence=4, issued_at=issued_at)
    (synced,) = sync_all(
        uow_factory=container.uow,
        clock=container.clock,
        fetcher=fetcher,
        clock_skew=container.settings.clock_skew,
    )
    assert synced.outcome == "accepted"
    return shanghai


def test_a_visitors_code_offline_by_the_acceptance_rules(
    container: Container, browser: Browser
) -> None:
    """Offline: a Shanghai green passes at an office, is stopped at a hospital by its rule."""
    venues = city(container)
    office = add_venue(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
        details=VenueDetails(
            organisation_id=venues.organisation,
            name_zh="西湖大厦",
            name_en="West Lake Tower",
            kind="office",
            lat=WEST_LAKE[0],
            lon=WEST_LAKE[1],
        ),
    )
    _hangzhou_like_beijing(container)
    now = T0 + timedelta(minutes=20)
    container.clock.set(now)  # type: ignore[attr-defined]
    shanghai = _shanghai_held(container, issued_at=now)
    visitor = shanghai.code(now)
    served = ServedApp(create_app(container=container))
    guard = Guard()
    try:
        for venue, outcome in ((office, "pass"), (venues.hospital, "stop")):
            phone = new_phone(browser, served, "en", guard)
            phone.context.clock.set_fixed_time(now + timedelta(seconds=30))
            page = phone.open("/checkpoint")
            enrol(page, container, venue.id)
            ages = page.locator("#list-age")
            expect(ages.locator("[data-jurisdiction='310000']")).to_contain_text("#4")
            expect(ages.locator("[data-jurisdiction='330100']")).to_contain_text("#")
            expect(ages.locator("[data-stale='true']")).to_have_count(0)
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            kept = page.evaluate(
                "import('/static/js/scanner/device.js').then((d) => d.get('trust-bundle'))"
            )
            assert kept["text"].count("healthcode-trust-list/") == 2  # kept in IndexedDB

            phone.context.set_offline(True)
            expect(page.locator("#net")).to_be_visible()
            page.locator("#code").fill(visitor)
            page.locator("#manual button[type=submit]").click()
            answer = page.locator("#answer")
            expect(answer).to_have_attribute("data-outcome", outcome)
            detail = page.locator("#answer-detail")
            if outcome == "pass":
                expect(detail).to_have_text(
                    "green code of 310000: pass (acceptance rule visitors-green)"
                )
            else:
                expect(answer).to_have_attribute("data-reason", "colour_not_accepted")
                expect(detail).to_have_text(
                    "green code of 310000: not admitted here "
                    "(acceptance rule hospitals-own-codes-only)"
                )
            expect(page.locator("#answer-holder")).to_contain_text("*明")
            phone.context.close()
    finally:
        served.stop()
    assert guard.outside == []
    guard.errors[:] = [e for e in guard.errors if "ERR_INTERNET_DISCONNECTED" not in e]
    assert guard.errors == []


def test_a_stale_peer_list_is_flagged_and_its_codes_degraded(
    container: Container, browser: Browser
) -> None:
    """Shanghai's list issued 30 hours ago (the policy allows a day): STALE on the page, and a
    Shanghai code still decided but marked as decided on an out-of-date list."""
    venues = city(container)
    now = T0 + timedelta(minutes=20)
    container.clock.set(now)  # type: ignore[attr-defined]
    shanghai = _shanghai_held(container, issued_at=now - timedelta(hours=30))
    served = ServedApp(create_app(container=container))
    guard = Guard()
    try:
        phone = new_phone(browser, served, "en", guard)
        phone.context.clock.set_fixed_time(now + timedelta(seconds=30))
        page = phone.open("/checkpoint")
        enrol(page, container, venues.restaurant.id)
        ages = page.locator("#list-age")
        stale = ages.locator("[data-jurisdiction='310000']")
        expect(stale).to_have_attribute("data-stale", "true")
        expect(stale).to_contain_text("STALE")
        expect(ages.locator("[data-jurisdiction='330100']")).to_have_attribute(
            "data-stale", "false"
        )
        page.locator("#code").fill(shanghai.code(now))
        page.locator("#manual button[type=submit]").click()
        expect(page.locator("#answer")).to_have_attribute("data-outcome", "pass")
        expect(page.locator("#answer-detail")).to_contain_text(
            "(offline: trust list of 310000 is older than allowed)"
        )
        phone.context.close()
    finally:
        served.stop()
    assert guard.outside == [] and guard.errors == []
