"""Round trips per request of the hot endpoints: SQL statements sent to PostgreSQL and commands
sent to Redis, with the Redis status cache off and on. The figures docs/scaling.md multiplies
by a city's request rates to size its database and Redis.

On a scratch PostgreSQL database (see ``scratch.py``) and a ``redis-server`` of the bench's own
on a free loopback port, an app is built around each container (cache off, cache on) and a
website citizen with a verified identity logs in; each endpoint is then called ``--calls``
times through the ASGI app in this process (no network: the counts do not depend on it) and
the statements and commands it sent are counted (SQLAlchemy's ``before_cursor_execute``,
Redis's ``total_commands_processed``), with the median time per call for reference. The first
call of each endpoint is left out (it fills the process's caches). Run:

    .venv/bin/python bench/round_trips.py [--calls 200]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis
from fastapi.testclient import TestClient
from sqlalchemy import event

from citizen import LOGIN, make_citizen
from healthcode import bootstrap
from healthcode.app import create_app
from healthcode.codes.keys import init_keys
from healthcode.container import Container
from healthcode.settings import Settings
from scratch import postgres_database

REDIS_SERVER = "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def own_redis(folder: Path) -> Iterator[redis.Redis]:
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - redis-server, fixed arguments
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", folder],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield client
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)


def measure(
    container: Container, commands: Callable[[], int], call: Callable[[], Any], calls: int
) -> tuple[float, float, float]:
    """(statements per call, Redis commands per call, median ms per call)."""
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    call()  # warm: the first call fills the process's caches
    event.listen(container.engine, "before_cursor_execute", count)
    try:
        before = commands()
        timings = []
        for _ in range(calls):
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
        # the count includes this INFO call itself: take it out
        sent = commands() - before - 1
    finally:
        event.remove(container.engine, "before_cursor_execute", count)
    return statements / calls, sent / calls, statistics.median(timings)


def run(calls: int) -> None:
    with (
        tempfile.TemporaryDirectory() as name,
        postgres_database() as url,
        own_redis(Path(name)) as cache,
    ):
        folder = Path(name)
        settings = Settings(
            database_url=url,
            data_key_file=folder / "data.key",
            keys_dir=folder / "keys",
            audit_anchor_dir=folder / "anchors",
            sms_file=folder / "sms.jsonl",
        )
        bootstrap.initialise(settings)
        port = cache.connection_pool.connection_kwargs["port"]
        on = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{port}/0"})
        for label, chosen in (("off", settings), ("on", on)):
            container = bootstrap.build(chosen)
            try:
                if label == "off":
                    init_keys(
                        uow=container.uow(),
                        clock=container.clock,
                        private_keys=container.private_keys,
                        jurisdiction="330100",
                    )
                    make_citizen(container)
                report(label, container, cache, calls)
            finally:
                container.close()


def report(label: str, container: Container, cache: redis.Redis, calls: int) -> None:
    def commands() -> int:
        return int(cache.info("stats")["total_commands_processed"])

    with TestClient(create_app(container=container)) as client:
        token = client.post("/api/v1/website/login", json=LOGIN).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        code = client.get("/api/v1/me/code", headers=auth).json()

        def ok(response: Any) -> None:
            assert response.status_code == 200, response.text

        endpoints: dict[str, Callable[[], Any]] = {
            "GET /api/v1/me": lambda: ok(client.get("/api/v1/me", headers=auth)),
            "GET /api/v1/me/status": lambda: ok(client.get("/api/v1/me/status", headers=auth)),
            "GET /api/v1/me/code": lambda: ok(client.get("/api/v1/me/code", headers=auth)),
            "POST /api/v1/verify": lambda: ok(
                client.post("/api/v1/verify", json={"token": code["token"], "colours": ["green"]})
            ),
        }
        print(f"Redis status cache {label}: per call, {calls} calls each")
        print(f"  {'endpoint':26} {'SQL statements':>15} {'Redis commands':>15} {'ms':>7}")
        for name, call in endpoints.items():
            statements, sent, ms = measure(container, commands, call, calls)
            print(f"  {name:26} {statements:15.2f} {sent:15.2f} {ms:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per endpoint and mode")
    run(parser.parse_args().calls)


if __name__ == "__main__":
    main()
