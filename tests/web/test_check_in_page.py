"""Checking in from the citizen's pages: the fake camera (a Y4M of a venue's place code, made
with segno) shows the code, the page sends it with the phone's position and shows the venue
and the time recorded; the check-in is stored; a typed code that is not a place code is
refused in the API's words. At 360 x 740 in zh and en, no console error, nothing from outside."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright
from sqlalchemy import text

from browser_helpers import CHROMIUM_ARGS, Guard, ServedApp, chromium_path, new_phone
from citizen_pages_helpers import log_in
from factories import resident_id
from healthcode.app import create_app
from healthcode.container import Container
from identity_helpers import add_test_channel
from presence_helpers import WEST_LAKE, city
from scanner_helpers import qr_video
from sign_up_helpers import confirm_identity_through, website_sign_up

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

PHONE_NUMBER = "13900007777"
VENUE = {"zh": "楼外楼", "en": "Louwailou"}


@pytest.fixture
def camera_browser(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[Browser, Path]]:
    """A Chromium whose fake camera plays ``tmp_path/place.y4m`` (written by the test first)."""
    video = tmp_path / "place.y4m"
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


def _checkins(container: Container) -> list[tuple[str, str]]:
    with container.engine.connect() as connection:
        rows = connection.execute(text("SELECT subject, venue_id FROM checkins")).all()
    return [(str(r[0]), str(r[1])) for r in rows]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_camera_reads_a_place_code_and_checks_the_citizen_in(
    container: Container, camera_browser: tuple[Browser, Path], lang: str
) -> None:
    """The fake camera shows a venue's place code: checked in, shown, stored; bad code refused."""
    browser, video = camera_browser
    venues = city(container)  # with the city's keys
    id_number = resident_id(31)
    website_sign_up(container, id_number=id_number, phone=PHONE_NUMBER)
    channel = add_test_channel(container)
    confirm_identity_through(
        container, channel, user_id="u-31", phone=PHONE_NUMBER, id_number=id_number
    )
    qr_video(venues.restaurant.place_code, video)
    served = ServedApp(create_app(container=container))
    guard = Guard()
    try:
        phone = new_phone(browser, served, lang, guard)
        phone.context.grant_permissions(["camera", "geolocation"], origin=served.base)
        phone.context.set_geolocation({"latitude": WEST_LAKE[0], "longitude": WEST_LAKE[1]})
        page = log_in(phone, PHONE_NUMBER)
        page.locator('nav a[href="/citizen/check-in"]').click()
        expect(page).to_have_url(re.compile(r"/citizen/check-in"))
        expect(page.locator("#mine")).to_have_attribute("aria-busy", "false")

        page.locator("#typed input").fill("HZP1:NOT-A-PLACE-CODE")
        page.locator("#typed button[type=submit]").click()
        expect(page.locator("#problem")).to_contain_text("place_code")
        # Chromium logs the refused request as a console error: drop exactly that one
        refusal = re.compile(r"status of 4\d\d .*/api/v1/me/checkins")
        assert len([e for e in guard.errors if refusal.search(e)]) == 1
        guard.errors[:] = [e for e in guard.errors if not refusal.search(e)]

        page.locator("#camera").click()
        done = page.locator("#done")
        expect(done).to_be_visible(timeout=20_000)
        expect(page.locator("#done-venue")).to_have_text(VENUE[lang])
        expect(page.locator("#done-at")).to_have_text(re.compile(r"\d{2}:\d{2}:\d{2}"))
        expect(page.locator("#done-verdict")).to_contain_text("✓")
        expect(page.locator("#problem")).to_be_hidden()
        expect(page.locator("#camera")).to_have_attribute("aria-pressed", "false")
        expect(page.locator("#mine li[data-state=accepted]")).to_have_count(1)
        expect(page.locator("#mine li").first).to_contain_text(VENUE[lang])
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        stored = _checkins(container)
        assert len(stored) == 1 and stored[0][1] == venues.restaurant.id
        phone.context.close()
    finally:
        served.stop()
    assert guard.outside == [], f"requests left loopback: {guard.outside}"
    assert guard.errors == [], f"console errors: {guard.errors}"
