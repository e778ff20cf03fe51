"""The login races through HTTP: the real app served by uvicorn on a loopback port, 40 (or 10)
requests in parallel, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import uvicorn

from factories import registration
from healthcode.app import create_app
from healthcode.container import Container
from healthcode.identity.passwords import MAX_FAILURES
from healthcode.kernel.clock import FixedClock
from healthcode.settings import Settings
from identity_helpers import PASSWORD, add_test_official, totp_code
from login_race_helpers import counted_checks, signed_up_phone

PARALLEL = 40


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings without load shedding: 40 logins at once would be an overload by
    the default limits, and the race under test lies behind admission."""
    return settings.model_copy(update={"overload_shedding": False})


@pytest.fixture
def served(container: Container) -> Iterator[str]:
    """The app around the test's container, served on a free loopback port: its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(container=container), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join()
    sock.close()


def _post_all(url: str, body: dict[str, str], count: int) -> list[int]:
    """POST ``body`` to ``url`` from ``count`` threads released together: the status codes."""
    start = threading.Barrier(count)
    data = json.dumps(body).encode()

    def one(_: int) -> int:
        request = urllib.request.Request(  # noqa: S310 - a loopback http URL built above
            url, data=data, headers={"Content-Type": "application/json"}
        )
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return int(response.status)
        except urllib.error.HTTPError as refused:
            return refused.code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def test_parallel_wrong_logins_over_http_check_at_most_the_allowed_number(
    served: str, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """40 parallel wrong website logins over HTTP: at most 5 checked, the rest 429, then locked."""
    phone = signed_up_phone(container)
    checked = counted_checks(monkeypatch)
    wrong = {"phone": phone, "password": "wrong password 1"}
    statuses = _post_all(f"{served}/api/v1/website/login", wrong, PARALLEL)
    assert len(checked) <= MAX_FAILURES
    assert sorted(statuses) == [401] * len(checked) + [429] * (PARALLEL - len(checked))
    right = {"phone": registration()["phone"], "password": PASSWORD}
    assert _post_all(f"{served}/api/v1/website/login", right, 1) == [429]


def test_parallel_totp_logins_over_http_give_one_session(
    served: str, container: Container, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """10 parallel official logins over HTTP with one right code: one 200, no other session."""
    kit = add_test_official(container, "li", "supervisor")
    counted_checks(monkeypatch)
    login = {"username": "li", "password": PASSWORD, "totp": totp_code(kit.secret, clock.now())}
    statuses = _post_all(f"{served}/api/v1/officials/login", login, 10)
    assert statuses.count(200) == 1
    assert set(statuses) <= {200, 401, 429}
