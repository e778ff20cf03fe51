"""Benchmark: the SQLite write-ahead log under two concurrent scan uploaders.

Two threads upload signed batches of 1,000 scans at once through the real ingestion use case
(`healthcode.presence.scans.upload_scans`), each batch committed before its acknowledgement, as
two API workers of the embedded deployment would. A watcher samples the size of the
write-ahead log every 5 ms; the peak and the final size are printed with the rate.

The baseline, in the same run on a fresh database, is the same work with the log guard out of
reach (`wal_limit` of 1 TiB: no TRUNCATE checkpoint, no `journal_size_limit` to speak of), which
is how the log grew before issue 16 (1.7 GB in 15 seconds in the report that opened it). The
target: the guarded peak stays within a few batches of `HEALTHCODE_SQLITE_WAL_LIMIT_BYTES`
(default 64 MiB).

Run: `.venv/bin/python bench/wal.py [--events N] [--wal-limit BYTES]`
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path

from healthcode.bootstrap import EVENT_HANDLERS
from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.engine import WAL_LIMIT, build_engine, build_session_factory
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.uow import EventHandlers
from healthcode.policies.repository import ParsedPolicyCache
from healthcode.presence.scans import upload_scans
from ingest import NOW, batches, populate
from scratch import sqlite_database

UPLOADERS = 2


def run(url: str, events: int, wal_limit: int) -> dict[str, float]:
    engine = build_engine(url, wal_limit=wal_limit)
    devices = populate(engine)
    wal = Path(url.removeprefix("sqlite:///") + "-wal")
    factory = build_session_factory(engine)
    cipher, cache, clock = PersonalDataCipher(b"\x01" * 32), ParsedPolicyCache(), FixedClock(NOW)
    bodies = iter([body for _, body in batches(devices, events, seed=1)])  # signed beforehand
    lock, done = threading.Lock(), threading.Event()
    peak = 0

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, wal.stat().st_size if wal.exists() else 0)
            time.sleep(0.005)

    def upload() -> None:
        while True:
            with lock:
                body = next(bodies, None)
            if body is None:
                return
            upload_scans(
                uow=SqlUnitOfWork(factory, cipher, cache, EventHandlers(EVENT_HANDLERS)),
                clock=clock,
                jurisdiction="330100",
                batch=body,
            )

    watcher = threading.Thread(target=watch)
    watcher.start()
    started = time.perf_counter()
    uploaders = [threading.Thread(target=upload) for _ in range(UPLOADERS)]
    for thread in uploaders:
        thread.start()
    for thread in uploaders:
        thread.join()
    seconds = time.perf_counter() - started
    done.set()
    watcher.join()
    end = wal.stat().st_size if wal.exists() else 0  # before closing: the last close removes it
    engine.dispose()
    return {
        "per_s": events / seconds,
        "seconds": seconds,
        "peak_mib": peak / 2**20,
        "end_mib": end / 2**20,
        "database_mib": os.path.getsize(url.removeprefix("sqlite:///")) / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--wal-limit", type=int, default=WAL_LIMIT, help="bytes (the setting)")
    args = parser.parse_args()
    print(f"{UPLOADERS} uploaders, batches of 1,000 scans, {args.events:,} events")
    results = {}
    for name, limit in (("guarded", args.wal_limit), ("unguarded", 2**40)):
        with sqlite_database(f"{name}.db") as url:
            results[name] = r = run(url, args.events, limit)
        print(
            f"{name:10} log peak {r['peak_mib']:7.1f} MiB, at the end {r['end_mib']:6.1f} MiB; "
            f"database {r['database_mib']:.0f} MiB; {r['per_s']:,.0f} events/s"
        )
    ratio = results["guarded"]["peak_mib"] / max(results["unguarded"]["peak_mib"], 1e-9)
    print(f"guarded / unguarded log peak: {ratio:.2f} (limit {args.wal_limit / 2**20:.0f} MiB)")


if __name__ == "__main__":
    main()
