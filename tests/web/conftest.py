"""Fixtures of the browser tests: one Chromium per module, the app served on loopback around
the test's container (SQLite), and a phone-sized context per language that fails the test on
any request leaving loopback and on any console error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from browser_helpers import CHROMIUM_ARGS, Guard, Phone, ServedApp, chromium_path, new_phone
from healthcode.app import create_app
from healthcode.container import Container


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # one Chromium per module, not per session: while Playwright's sync API runs, its event
    # loop counts as running in this thread, and later tests that start one (anyio.run) fail
    expect.set_options(timeout=10_000)  # a shared machine: twice Playwright's default
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def served(container: Container) -> Iterator[ServedApp]:
    app = ServedApp(create_app(container=container))
    yield app
    app.stop()


@pytest.fixture
def guard() -> Guard:
    return Guard()


@pytest.fixture(params=["zh", "en"])
def phone(
    request: pytest.FixtureRequest, browser: Browser, served: ServedApp, guard: Guard
) -> Iterator[Phone]:
    """A 360 x 740 context in zh, then en; afterwards nothing may have left loopback and no
    console error may have been logged."""
    made = new_phone(browser, served, request.param, guard)
    yield made
    made.context.close()
    assert guard.outside == [], f"requests left loopback: {guard.outside}"
    assert guard.errors == [], f"console errors: {guard.errors}"
