"""Benchmark: showing a code (``issue_code``) with the Redis status cache off, on, and with its
Redis down, on SQLite or PostgreSQL (a scratch database, see ``scratch.py``), one thread.

Registers ``--people`` people (each has a first status), then issues each person's code
``--rounds`` times per mode, the modes interleaved round by round: ``off`` (no cache: the stored
status is opened from the database), ``on`` (the status from a Redis of the bench's own, warm)
and ``down`` (that Redis stopped: every lookup fails and the database answers). Prints the
median and p99 per code in milliseconds and the cache's counts. The bench starts and stops its
own ``redis-server`` on a free loopback port; the machine's Redis is not touched. Run:

    .venv/bin/python bench/status_cache.py [--backend sqlite|postgres] [--people 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from healthcode import bootstrap
from healthcode.codes.issuing import issue_code
from healthcode.codes.keys import init_keys
from healthcode.container import Container
from healthcode.identity.registration import Register, register_person
from healthcode.identity.validation import check_character
from healthcode.settings import Settings
from healthcode.status.redis_cache import RedisStatusCache
from scratch import postgres_database, sqlite_database

REDIS_SERVER = "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _person(seq: int) -> Register:
    first17 = f"330106199001{1 + seq // 1000 % 28:02d}{seq % 1000:03d}"
    return Register(
        name="张三丰",
        id_type="resident",
        id_number=first17 + check_character(first17),
        phone=f"138{seq:08d}",
        address="杭州市西湖区文三路1号",
        consent_location=True,
    )


def _issue(container: Container, subject: str) -> float:
    started = time.perf_counter()
    issue_code(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        subject=subject,
        lifetime=timedelta(minutes=5),
    )
    return (time.perf_counter() - started) * 1000


def _summary(name: str, timings: list[float]) -> str:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"{name:5} median {statistics.median(ordered):6.2f} ms   p99 {p99:6.2f} ms"


def run(database_url: str, people: int, rounds: int, folder: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - redis-server, fixed arguments
        [
            REDIS_SERVER,
            "--port",
            str(port),
            *("--bind", "127.0.0.1", "--save", ""),
            "--dir",
            folder,
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.3)
        settings = Settings(
            database_url=database_url,
            data_key_file=folder / "data.key",
            keys_dir=folder / "keys",
            audit_anchor_dir=folder / "anchors",
            sms_file=folder / "sms.jsonl",
        )
        bootstrap.initialise(settings)
        off = bootstrap.build(settings)
        on = bootstrap.build(settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{port}"}))
        init_keys(
            uow=off.uow(), clock=off.clock, private_keys=off.private_keys, jurisdiction="330100"
        )
        subjects = [
            register_person(
                uow=on.uow(), clock=on.clock, jurisdiction="330100", person=_person(i)
            ).subject
            for i in range(people)
        ]
        timings: dict[str, list[float]] = {"off": [], "on": [], "down": []}
        modes: dict[str, Callable[[str], float]] = {
            "off": lambda s: _issue(off, s),
            "on": lambda s: _issue(on, s),
        }
        for _ in range(rounds):
            for name, issue in modes.items():
                timings[name].extend(issue(s) for s in subjects)
        server.terminate()
        server.wait()
        timings["down"].extend(_issue(on, s) for _ in range(rounds) for s in subjects)
        for name, measured in timings.items():
            print(_summary(name, measured))
        assert isinstance(on.status_cache, RedisStatusCache)
        print("cache counts:", dict(on.status_cache.outcomes()))
        off.close()
        on.close()
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    database = sqlite_database("bench.db") if arguments.backend == "sqlite" else postgres_database()
    with tempfile.TemporaryDirectory() as folder, database as url:
        run(url, arguments.people, arguments.rounds, Path(folder))


if __name__ == "__main__":
    main()
