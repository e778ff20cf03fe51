"""The cities of `healthcode federation demo`: each a fresh instance (its own SQLite database,
data key, signing and root keys, jurisdiction and bundled policy) served by uvicorn on a free
loopback port, all reading one fixed clock the demo moves; and their people logging in through
the HTTP API as a browser or the console would.

The servers run in this process (threads), so that the three cities read the same clock: time
stands still while a step runs and moves only when the demo says (a journey, the days of a
rule). Each server is the real app (``healthcode.app.create_app`` of the city's container);
peers reach each other over HTTP on 127.0.0.1 only."""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import httpx2
import pyotp
import uvicorn

from healthcode.cli.context import api_of, scratch_system
from healthcode.codes.keys import ROOT, init_keys, list_keys
from healthcode.container import Container
from healthcode.identity.demo import (
    DEMO_CONSOLE_PASSWORD,
    demo_totp,
    seed_demo_citizen,
    seed_demo_officials,
)
from healthcode.identity.officials import OfficialAccount, add_official
from healthcode.kernel.clock import FixedClock

HANGZHOU: Final = "330100"
SHANGHAI: Final = "310000"
BEIJING: Final = "110000"
NAMES: Final = {HANGZHOU: "Hangzhou", SHANGHAI: "Shanghai", BEIJING: "Beijing"}
ADMIN: Final = "demo.admin"
SECOND_ADMIN: Final = "demo.admin2"  # four eyes: adding a peer takes a second admin's approval
ADMIN_PASSWORD: Final = "demo-admin-federation-2026"  # noqa: S105 - a throwaway demo account
REPORTER: Final = "demo.official"
CONFIRMER: Final = "demo.supervisor"
READY_SECONDS: Final = 30.0
HTTP_SECONDS: Final = 10.0


class DemoFailure(Exception):
    """A step's check did not hold: the message says what was expected and what was seen."""


def check(holds: bool, what: str) -> str:
    """``what`` when it holds; else the step fails saying so."""
    if not holds:
        raise DemoFailure(what)
    return what


@dataclass
class City:
    """One running instance: its system, its base URL, its two admins' TOTP secrets."""

    jurisdiction: str
    container: Container
    url: str
    admin_totps: dict[str, str]
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def name(self) -> str:
        return NAMES[self.jurisdiction]

    def root_key(self) -> str:
        """The city's root public key, as `healthcode keys list` shows it (pinned by peers)."""
        (root,) = [
            k
            for k in list_keys(uow=self.container.uow(), jurisdiction=self.jurisdiction)
            if k.role == ROOT
        ]
        return base64.urlsafe_b64encode(root.public_key).decode().rstrip("=")

    def call(
        self, method: str, path: str, *, token: str | None = None, json: Any = None
    ) -> httpx2.Response:
        """One request to this city's API over loopback."""
        headers = {"Accept-Language": "en"}  # the demo prints in English
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx2.request(
            method, self.url + path, json=json, headers=headers, timeout=HTTP_SECONDS
        )

    def expect(
        self,
        method: str,
        path: str,
        status: int,
        *,
        token: str | None = None,
        json: Any = None,
    ) -> Any:
        """The JSON answer of a request that must answer ``status``."""
        response = self.call(method, path, token=token, json=json)
        if response.status_code != status:
            raise DemoFailure(
                f"{self.name} {method} {path}: expected {status}, got "
                f"{response.status_code} {response.text[:300]}"
            )
        return response.json() if response.content else None

    def official_login(self, username: str) -> str:
        """A demo official's session, logged in with the password and the TOTP code now."""
        clock = self.container.clock
        if username in self.admin_totps:
            secret = self.admin_totps[username]
            password, code = ADMIN_PASSWORD, pyotp.TOTP(secret).at(clock.now())
        else:
            password, code = DEMO_CONSOLE_PASSWORD, demo_totp(username, clock=clock)[0]
        body = {"username": username, "password": password, "totp": code}
        return str(self.expect("POST", "/api/v1/officials/login", 200, json=body)["token"])

    def citizen_login(self) -> tuple[str, str]:
        """The city's demo citizen's website account (seeded as needed): subject, session."""
        seeded = seed_demo_citizen(
            uow=self.container.uow(), clock=self.container.clock, jurisdiction=self.jurisdiction
        )
        body = {"phone": seeded.phone, "password": seeded.password}
        answer = self.expect("POST", "/api/v1/website/login", 200, json=body)
        return seeded.subject, str(answer["token"])


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def _prepare(container: Container, jurisdiction: str) -> dict[str, str]:
    """Keys, the console's demo officials (an official, a supervisor, an auditor) and two
    admins, as a new instance's operator makes them; the admins' TOTP secrets."""
    clock, uow = container.clock, container.uow
    init_keys(
        uow=uow(), clock=clock, private_keys=container.private_keys, jurisdiction=jurisdiction
    )
    seed_demo_officials(uow=uow(), clock=clock, jurisdiction=jurisdiction)
    secrets = {}
    for username in (ADMIN, SECOND_ADMIN):  # the two admins `official add` bootstraps
        admin = add_official(
            uow=uow(),
            clock=clock,
            account=OfficialAccount(
                username=username, role="admin", jurisdiction=jurisdiction, password=ADMIN_PASSWORD
            ),
            serving=jurisdiction,
        )
        secrets[username] = str(pyotp.parse_uri(admin.totp_uri).secret)
    return secrets


@contextmanager
def served(folder: Path, jurisdiction: str, clock: FixedClock) -> Iterator[City]:
    """A fresh instance of ``jurisdiction`` in ``folder`` on a free loopback port, until the
    block ends; it answers /readyz before this yields."""
    folder.mkdir(parents=True)
    with scratch_system(folder, jurisdiction=jurisdiction, clock=clock) as container:
        admin_totps = _prepare(container, jurisdiction)
        sock = _free_socket()
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            api_of(container), host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"serve-{jurisdiction}", daemon=True
        )
        thread.start()
        url = f"http://127.0.0.1:{port}"
        city = City(jurisdiction, container, url, admin_totps, server, thread)
        try:
            _wait_ready(city)
            yield city
        finally:
            server.should_exit = True
            thread.join(timeout=READY_SECONDS)
            sock.close()


def _wait_ready(city: City) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if not city.thread.is_alive():
            raise DemoFailure(f"{city.name}'s server stopped while starting")
        try:
            if city.call("GET", "/readyz").status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.1)
    raise DemoFailure(f"{city.name} did not answer /readyz within {READY_SECONDS:.0f} s")


@dataclass
class World:
    """The three cities, their clock, and what the steps learn on the way; ``stack`` stops
    every city started when the demo ends."""

    clock: FixedClock
    folder: Path
    stack: ExitStack
    cities: dict[str, City] = field(default_factory=dict)
    seen: dict[str, Any] = field(default_factory=dict)

    def start(self, jurisdiction: str) -> City:
        """A fresh instance of ``jurisdiction``, serving until the demo ends."""
        folder = self.folder / NAMES[jurisdiction].lower()
        city = self.stack.enter_context(served(folder, jurisdiction, self.clock))
        self.cities[jurisdiction] = city
        return city

    @property
    def hangzhou(self) -> City:
        return self.cities[HANGZHOU]

    @property
    def shanghai(self) -> City:
        return self.cities[SHANGHAI]

    @property
    def beijing(self) -> City:
        return self.cities[BEIJING]

    def move_to(self, at: datetime) -> None:
        """Every city's time is ``at`` from now on."""
        self.clock.set(at)


@contextmanager
def world_in(folder: Path, start: datetime) -> Iterator[World]:
    """The demo's world in ``folder`` at ``start``: every city started in it is stopped when
    the block ends, whatever happened."""
    with ExitStack() as stack:
        yield World(FixedClock(start), folder, stack)
