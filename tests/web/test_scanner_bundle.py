"""The scanner with another city's codes, in Chromium: the server holds Shanghai's list (a
peer), the scanner fetches the trust bundle, then with the network off it passes a Shanghai
green code at an office and stops it at a hospital, naming the acceptance rule of the policy
in force; the page shows how old each city's list is."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from browser_helpers import Guard, ServedApp, new_phone
from federation_helpers import SHANGHAI_URL, FakeFetcher, PeerCity, add_shanghai
from healthcode.app import create_app
from healthcode.container import Container
from healthcode.credentials import TrustedKey, build_trust_list, sign_trust_list
from healthcode.credentials.cose import kid_of, public_key_bytes
from healthcode.credentials.trustfile import dump_trust_list
from healthcode.federation.bundle import TrustBundle, open_bundle, sign_bundle
from healthcode.federation.sync import sync_all
from healthcode.policies.versions import activate_policy
from healthcode.presence.venues import VenueDetails, add_venue
from policy_helpers import bundled_source
from presence_helpers import T0, WEST_LAKE, city
from scanner_codes_helpers import BJ, HZ, LIFETIME, LISTS, NOW, SCAN, SH, SIGNERS, b64
from scanner_codes_helpers import ROOTS as CODE_ROOTS
from scanner_codes_helpers import T0 as LIST_T0
from scanner_codes_helpers import served_page as served_page
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
            expect(ages.locator("[data-jurisdiction='310000']")).to_contain_text(
                "#4", timeout=15_000
            )
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
    """A peer list 30 h old (limit a day) is STALE on the page; its codes' decisions say so."""
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
        expect(stale).to_have_attribute("data-stale", "true", timeout=15_000)
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


OPEN = """async ([texts, root, at]) => {
  const v = await import('/static/js/scanner/verify.js');
  const unb64 = (t) => Uint8Array.from(atob(t.replace(/-/g, '+').replace(/_/g, '/') +
    '='.repeat((4 - t.length % 4) % 4)), (c) => c.charCodeAt(0));
  const out = [];
  for (const text of texts) {
    const store = new v.TrustStore({'330100': unb64(root)});
    try {
      const key = unb64(root);
      const opened = await v.openBundle(text, {store, jurisdiction: '330100', root: key, at});
      out.push({held: store.jurisdictions.sort(), refused: opened.refused.length});
    } catch (e) { out.push({error: e.message}); }
  }
  return out;
}"""


def _bundle_text(lists: tuple[str, ...], *, signer: str = HZ) -> str:
    """Hangzhou's bundle holding ``lists``, Shanghai's root vouched for."""
    bundle = TrustBundle(
        HZ,
        NOW.replace(microsecond=0),
        kid_of(CODE_ROOTS[signer].public_key()),
        ((SH, public_key_bytes(CODE_ROOTS[SH].public_key())),),
        lists,
    )
    return sign_bundle(bundle, root_private_key=CODE_ROOTS[signer])


def _shanghai_under_beijings_root() -> str:
    """A Shanghai list signed by Beijing's root (not the root the bundle vouches for)."""
    tl = build_trust_list(
        jurisdiction=SH,
        sequence=3,
        issued_at=LIST_T0,
        keys=[
            TrustedKey.of(
                SIGNERS[SH].public_key(),
                valid_from=LIST_T0,
                valid_until=LIST_T0 + timedelta(days=30),
            )
        ],
        root_public_key=CODE_ROOTS[BJ].public_key(),
        max_code_lifetime=LIFETIME,
    )
    return dump_trust_list(sign_trust_list(tl, root_private_key=CODE_ROOTS[BJ]))


def test_the_scanner_checks_a_bundle_as_python_does(served_page: Page) -> None:
    """bundle.js refuses another root or a changed bundle, leaves out a forged peer list."""
    own, peer = dump_trust_list(LISTS[HZ]), dump_trust_list(LISTS[SH])
    good = _bundle_text((own, peer))
    changed = good.replace(
        '"issued_at": "2026-03-01T02:00:00Z"', '"issued_at": "2026-03-01T02:00:01Z"'
    )
    assert changed != good
    forged_peer = _shanghai_under_beijings_root()
    texts = [good, _bundle_text((own, peer), signer=BJ), changed, _bundle_text((own, forged_peer))]
    root = b64(public_key_bytes(CODE_ROOTS[HZ].public_key()))
    got = served_page.evaluate(OPEN, [texts, root, SCAN.timestamp()])
    assert got[0] == {"held": [SH, HZ], "refused": 0}
    assert open_bundle(good, root_public_key=CODE_ROOTS[HZ].public_key()).jurisdictions == {HZ, SH}
    assert got[1]["error"].startswith("bundle.root_kid")
    assert got[2]["error"].startswith("bundle.signature")
    assert got[3] == {"held": [HZ], "refused": 1}
