"""Benchmark: how soon the citizen's code page paints and shows a code, in Debian's Chromium on
loopback, against the login page (the same frame and stylesheet, no data) in the same run.

Each round opens, for each page, a fresh browser context (no cache, no kept code) logged in as
a scratch citizen and loads the login page (the baseline) or the code page,
and reads the browser's own timings: first contentful paint, and the ``code-drawn`` mark the
page sets when its QR is drawn (after its scripts loaded, the API answered ``/me``,
``/me/status`` and ``/me/code``). Figures are medians over rounds. Target (issue 11): the code
page's first paint under 1 s.

    .venv/bin/python bench/web_paint.py [--rounds 15] [--check]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import Browser, sync_playwright

from healthcode import bootstrap
from healthcode.app import create_app
from healthcode.codes.keys import init_keys
from healthcode.container import Container
from healthcode.db.encryption import create_key_file
from healthcode.db.engine import build_engine
from healthcode.db.migrate import upgrade
from healthcode.identity.demo import seed_demo_citizen
from healthcode.identity.website import log_in_citizen
from healthcode.settings import Settings

TARGET_MS = 1000.0
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
FCP = "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null"
DRAWN = "performance.getEntriesByName('code-drawn')[0]?.startTime ?? null"


def _container(folder: Path) -> tuple[Container, str]:
    """A migrated SQLite instance with keys and a verified citizen; its session token."""
    url = f"sqlite:///{folder / 'bench.db'}"
    engine = build_engine(url)
    upgrade(engine)
    engine.dispose()
    create_key_file(folder / "data.key")
    settings = Settings(
        database_url=url, data_key_file=folder / "data.key", keys_dir=folder / "keys",
        audit_anchor_dir=folder / "anchors", sms_file=folder / "sms.jsonl",
        jurisdiction="330100",
    )  # fmt: skip
    container = bootstrap.build(settings)
    init_keys(uow=container.uow(), clock=container.clock,
              private_keys=container.private_keys, jurisdiction="330100")  # fmt: skip
    citizen = seed_demo_citizen(uow=container.uow(), clock=container.clock, jurisdiction="330100")
    session = log_in_citizen(
        uow=container.uow(), clock=container.clock, phone=citizen.phone, password=citizen.password
    )
    return container, json.dumps({"token": session.token, "expires_at": "later"})


def _serve(container: Container) -> tuple[uvicorn.Server, str]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(container=container), log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{listener.getsockname()[1]}"


def _load(browser: Browser, base: str, session: str, path: str) -> tuple[float, float | None]:
    """(first contentful paint, code drawn or None) in ms of ``path`` in a fresh context."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.add_init_script(f"localStorage.setItem('hc.session', {json.dumps(session)})")
    page = context.new_page()
    page.goto(f"{base}/static/icon.svg")  # the renderer and the connection, alike for both
    page.goto(f"{base}{path}")
    page.wait_for_function(f"({FCP}) !== null")
    drawn = None
    if path == "/citizen":
        page.wait_for_function(f"({DRAWN}) !== null")
        drawn = float(page.evaluate(DRAWN))
    paint = float(page.evaluate(FCP))
    context.close()
    return paint, drawn


def _round(browser: Browser, base: str, session: str) -> tuple[float, float, float]:
    """(baseline FCP, code page FCP, code drawn) in ms, each page in a fresh context."""
    baseline, _ = _load(browser, base, session, "/citizen/login")
    paint, drawn = _load(browser, base, session, "/citizen")
    assert drawn is not None
    return baseline, paint, drawn


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--check", action="store_true", help=f"exit 1 if FCP > {TARGET_MS} ms")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        container, session = _container(Path(folder))
        server, base = _serve(container)
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        _round(browser, base, session)  # warm-up: Python, SQLite and Chromium caches
        rounds = [_round(browser, base, session) for _ in range(args.rounds)]
        browser.close()
        server.should_exit = True
        container.close()
    baseline, paint, drawn = (statistics.median(r[i] for r in rounds) for i in range(3))
    print(f"rounds: {args.rounds} (a fresh context each, 360 x 740, loopback)")
    print(f"baseline page first paint:  {baseline:7.1f} ms (the login page: no data)")
    print(f"code page first paint:      {paint:7.1f} ms (target < {TARGET_MS:.0f} ms)")
    print(f"code page QR drawn:         {drawn:7.1f} ms (scripts + /me, /me/status, /me/code)")
    print(f"ratio first paint / baseline: {paint / baseline:.2f}")
    return 1 if args.check and paint > TARGET_MS else 0


if __name__ == "__main__":
    sys.exit(main())
