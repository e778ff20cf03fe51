"""Browser tests: the app served by uvicorn on a free loopback port (in a thread of the test
process, around the test's container) and Debian's Chromium driven by Playwright, with every
request that would leave loopback blocked and recorded and every console error recorded, for
the test to fail on (tests/web/conftest.py)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
PHONE = (360, 740)
LOCALES = {"zh": "zh-CN", "en": "en-GB"}


def chromium_path() -> str:
    """Debian's Chromium (``make install`` puts it there with apt-get); never a download."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (make install does)")
    return str(CHROMIUM)


class ServedApp:
    """``app`` served by uvicorn on a free port of 127.0.0.1 until ``stop``."""

    def __init__(self, app: FastAPI) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        self.port: int = listener.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [listener]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                pytest.fail("the app did not start serving")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@dataclass
class Guard:
    """What a browser context did that a test fails on: requests that would have left loopback
    (each blocked) and console errors or uncaught page errors."""

    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> None:
        context.route("**/*", self._route)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.errors.append(f"page error: {error.error}"))

    def _route(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOOPBACK:
            route.fallback()
        else:
            self.outside.append(url)
            route.abort("blockedbyclient")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} at {message.location}")


@dataclass
class Phone:
    """One browser context the size of a phone (360 x 740) in one language, on the app."""

    context: BrowserContext
    base: str
    lang: str

    def open(self, path: str, page: Page | None = None) -> Page:
        """``path`` in a new tab (or ``page``), in this phone's language."""
        tab = page or self.context.new_page()
        joiner = "&" if "?" in path else "?"
        tab.goto(f"{self.base}{path}{joiner}lang={self.lang}")
        return tab


def new_phone(
    browser: Browser, served: ServedApp, lang: str, guard: Guard, *, workers: bool = False
) -> Phone:
    """A fresh context (no storage shared with other tests) watched by ``guard``. Service
    workers are blocked unless ``workers``: the requests a worker makes escape ``guard``."""
    width, height = PHONE
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale=LOCALES[lang],
        service_workers="allow" if workers else "block",
    )
    context.set_default_timeout(10_000)
    guard.watch(context)
    return Phone(context=context, base=served.base, lang=lang)
