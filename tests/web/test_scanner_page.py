"""The checkpoint scanner in Chromium: enrolled at a venue, then with the network off it reads
a code from a fake camera (a Y4M video of the QR) and shows pass; a tampered code shows
invalid with its reason, an expired one expired; the scans are queued across a reload (the
service worker opens the page offline) and uploaded once the network is back, stored once."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import base45
import pytest
from playwright.sync_api import Browser, Response, expect, sync_playwright
from sqlalchemy import text

from browser_helpers import CHROMIUM_ARGS, Guard, ServedApp, chromium_path, new_phone
from healthcode.app import create_app
from healthcode.container import Container
from presence_helpers import T0, city, person
from scanner_helpers import code_for, enrol, qr_video

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

WORDS = {
    "zh": {"pass": "通行", "invalid": "无效码", "expired": "已过期", "bad_signature": "签名无效"},
    "en": {
        "pass": "Pass",
        "invalid": "Invalid code",
        "expired": "Expired",
        "bad_signature": "Bad signature",
    },
}
BUDGET = 150 * 1024


@pytest.fixture(scope="module")
def video_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("camera")


@pytest.fixture
def camera_browser(
    video_dir: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[Browser, Path]]:
    """A Chromium whose fake camera plays ``video_dir/code.y4m`` (written by the test first)."""
    video = video_dir / f"code-{request.node.name.replace('[', '-').replace(']', '')}.y4m"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
            headless=True,
        )
        yield browser, video
        browser.close()


def _tampered(token: str) -> str:
    cose = bytearray(base45.b45decode(token[4:]))
    cose[-1] ^= 0x01
    return "HZ2:" + base45.b45encode(bytes(cose)).decode()


def _scans(container: Container) -> int:
    with container.engine.connect() as connection:
        return int(
            connection.scalar(text("SELECT count(*) FROM presences WHERE source = 'scan'")) or 0
        )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_scanner_offline_camera_pass_invalid_expired_then_upload_once(
    container: Container, camera_browser: tuple[Browser, Path], lang: str
) -> None:
    """Offline: camera pass, tampered invalid, expired; queued across a reload; uploaded once."""
    browser, video = camera_browser
    venues = city(container)
    expired = code_for(container, person(container, 2))  # at T0, for five minutes
    now = T0 + timedelta(minutes=20)
    container.clock.set(now)  # type: ignore[attr-defined]
    token = code_for(container, person(container, 1))
    qr_video(token, video)
    served = ServedApp(create_app(container=container))
    guard = Guard()
    try:
        phone = new_phone(browser, served, lang, guard, workers=True)
        phone.context.grant_permissions(["camera"], origin=served.base)
        phone.context.clock.set_fixed_time(now + timedelta(seconds=30))
        page = phone.open("/checkpoint")
        expect(page.locator("#enrol")).to_be_visible()
        device_id = enrol(page, container, venues.restaurant.id)
        expect(page.locator("#list-age")).to_contain_text("#")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now under the service worker
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        page.wait_for_function("navigator.serviceWorker.controller !== null")

        phone.context.set_offline(True)
        expect(page.locator("#net")).to_be_visible()
        page.locator("#camera").click()
        answer = page.locator("#answer")
        expect(answer).to_be_visible(timeout=20_000)
        expect(answer).to_have_attribute("data-outcome", "pass")
        expect(page.locator("#answer-word")).to_have_text(WORDS[lang]["pass"])
        expect(page.locator("#answer-holder")).to_contain_text("*")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.locator("#answer-next").click()
        page.locator("#camera").click()  # camera off

        page.locator("#code").fill(_tampered(token))
        page.locator("#manual button[type=submit]").click()
        expect(answer).to_have_attribute("data-outcome", "invalid")
        expect(answer).to_have_attribute("data-reason", "bad_signature")
        expect(page.locator("#answer-word")).to_have_text(WORDS[lang]["invalid"])
        expect(page.locator("#answer-reason")).to_contain_text(WORDS[lang]["bad_signature"])
        expect(page.locator("#answer-detail")).to_contain_text("signature does not verify")
        page.locator("#answer-next").click()

        page.locator("#code").fill(expired)
        page.locator("#manual button[type=submit]").click()
        expect(answer).to_have_attribute("data-outcome", "expired")
        expect(page.locator("#answer-word")).to_have_text(WORDS[lang]["expired"])
        page.locator("#answer-next").click()
        expect(page.locator("#queue")).to_contain_text("2 ")

        page.reload()  # offline: the service worker opens the page, IndexedDB keeps the queue
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        expect(page.locator("#queue")).to_contain_text("2 ")
        assert _scans(container) == 0
        kept = page.evaluate("import('/static/js/scanner/device.js').then((d) => d.queued())")
        assert {s["outcome"] for s in kept} == {"pass", "invalid"}

        phone.context.set_offline(False)
        expect(page.locator("#queue")).to_contain_text("0 ")
        assert _scans(container) == 2
        receipt = page.evaluate(
            """async (scans) => {
              const d = await import('/static/js/scanner/device.js');
              const body = await d.signBatch(await d.deviceKey(), scans);
              const r = await fetch('/api/v1/scans/batches', {method: 'POST',
                headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
              return await r.json();
            }""",
            kept,
        )
        assert (receipt["device"], receipt["stored"], receipt["duplicates"]) == (device_id, 0, 2)
        assert _scans(container) == 2
        phone.context.close()
    finally:
        served.stop()
    assert guard.outside == []
    guard.errors[:] = [e for e in guard.errors if "ERR_INTERNET_DISCONNECTED" not in e]
    assert guard.errors == []


def test_scanner_page_at_360_and_under_budget(container: Container, browser: Browser) -> None:
    """The scanner page in zh and en fits 360 px, is clean and under 150 KB gzipped."""
    served = ServedApp(create_app(container=container))
    try:
        for lang in ("zh", "en"):
            guard = Guard()
            phone = new_phone(browser, served, lang, guard)
            loaded: list[Response] = []
            page = phone.context.new_page()
            page.on("response", lambda response: loaded.append(response))  # noqa: B023
            phone.open("/checkpoint", page)
            expect(page.locator("#enrol")).to_be_visible()
            assert page.locator("h1").count() == 1
            assert page.evaluate("document.documentElement.lang") == lang
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            assets = {
                r.url: r.body()
                for r in loaded
                if r.request.resource_type in ("script", "stylesheet")
            }
            assert any(url.endswith("/scanner.js") for url in assets)
            compressed = sum(len(gzip.compress(b, compresslevel=9)) for b in assets.values())
            assert compressed < BUDGET, f"{compressed} bytes gzipped"
            phone.context.close()
            assert guard.outside == [] and guard.errors == []
    finally:
        served.stop()
