"""Benchmark: sustained ingestion of checkpoint scans (presence events) in batches of 1,000.

Each batch goes through the real ingestion service (`healthcode.presence.scans.upload_scans`:
parse, device lookup, Ed25519 signature check, retention checks, the bulk insert-if-absent of
`SqlPresenceRepository.insert_rows`, the batch record) and is committed before the call returns
(the acknowledgement). `--streams` uploaders send batches at once on PostgreSQL, as several API
workers would (default 2, one per core); SQLite has one writer. Devices sign their batches
before the clock starts: signing is the device's work, not the server's.

The baseline, in the same run and on the same database, is the fastest bare bulk insert of the
same rows through the driver, one commit per 1,000: COPY on PostgreSQL, one executemany on
SQLite — no checks, no conflict handling. The ratio is service / baseline.

Targets: 20,000 events/s into PostgreSQL and 10,000 into SQLite on this 2-core machine.
Memory: the resident anonymous memory (RssAnon: heap and buffers, not SQLite's memory-mapped
file) is sampled every 20 batches; it must stay flat (batches are generated a chunk at a time
and dropped). Ten progress lines per phase (bare insert, service) show the rate over each
tenth of the run and the RSS then, so a slowdown as the tables and indexes grow, or any growth
of memory, is visible over a long run (`--events 10000000`).

Durability: every acknowledgement is on disk (SQLite `synchronous=FULL`, PostgreSQL
`synchronous_commit` on). `--compare-normal` sends every other chunk of the SQLite service
phase through connections with `synchronous=NORMAL` (the setting before issue 16, which may
lose the last commits on a power cut), so that both modes see the same load and table sizes,
and prints both rates: what durability costs. On SQLite the log's peak size is printed too.

Run: `.venv/bin/python bench/ingest.py [--events N] [--backend sqlite|postgresql|both]
[--streams K] [--compare-normal]` (PostgreSQL: a scratch database is created and dropped on
HEALTHCODE_BENCH_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, delete, event, insert, text

from healthcode.bootstrap import EVENT_HANDLERS
from healthcode.checkpoint.batches import ScanRecord, parse_batch, scan_id, sign_batch
from healthcode.credentials.cose import kid_of, public_key_bytes
from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.engine import build_engine, build_session_factory
from healthcode.db.facts import PresenceRow
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.identity.tables import PersonRow
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.uow import EventHandlers
from healthcode.policies.repository import ParsedPolicyCache
from healthcode.presence.scans import upload_scans
from healthcode.presence.tables import DeviceRow, OrganisationRow, ScanBatchRow, VenueRow
from scratch import (
    PRESENCE_COLUMNS,
    disk_per_row,
    make_days,
    postgres_database,
    raw_insert,
    sqlite_database,
)

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
BATCH = 1_000
CHUNK = 20  # batches made ahead of each timed stretch
PEOPLE = 20_000
VENUES = 100


def rss_mib() -> float:
    """Resident anonymous memory now (Linux /proc: ``RssAnon``), in MiB: the heap and the
    driver's buffers. SQLite's memory-mapped database file is left out: those pages are the
    file's, counted in RSS as shared file cache as they are read, and not a leak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no RssAnon in /proc/self/status")


class Progress:
    """Prints a line at each tenth of a phase: events so far, the rate over that tenth (timed
    work only), and the RSS."""

    def __init__(self, phase: str, events: int) -> None:
        self.phase, self.step = phase, max(events // 10, BATCH)
        self.done = self.mark_events = 0
        self.mark_seconds = 0.0

    def advance(self, events: int, seconds: float, rss: float | None = None) -> None:
        self.done += events
        if self.done - self.mark_events < self.step:
            return
        rate = (self.done - self.mark_events) / max(seconds - self.mark_seconds, 1e-9)
        rss = rss_mib() if rss is None else rss
        print(
            f"  {self.phase:11} {self.done:>12,} events  {rate:>9,.0f}/s over the last "
            f"{self.done - self.mark_events:,}  anon RSS {rss:.0f} MiB",
            flush=True,
        )
        self.mark_events, self.mark_seconds = self.done, seconds


@dataclass
class Devices:
    keys: list[Ed25519PrivateKey]
    ids: list[str]
    venues: list[str]


def populate(engine: Engine) -> Devices:
    make_days(engine, (NOW - timedelta(days=2)).date(), 3)  # migrated, with the scans' days
    blob = b"\x00" * 40
    keys = [Ed25519PrivateKey.generate() for _ in range(VENUES)]
    ids = [kid_of(k.public_key()).hex() for k in keys]
    venues = [f"{v:032x}" for v in range(VENUES)]
    with engine.begin() as conn:
        conn.execute(
            insert(PersonRow),
            [
                {
                    "subject": f"{i:032x}",
                    "jurisdiction": "330100",
                    "id_type": "resident",
                    "id_lookup": f"{i:064x}",
                    "phone_lookup": f"{i:064x}",
                    "household": f"{i:064x}",
                    "name_enc": blob,
                    "id_number_enc": blob,
                    "phone_enc": blob,
                    "address_enc": blob,
                    "registered_at": NOW - timedelta(days=30),
                }
                for i in range(PEOPLE)
            ],
        )
        conn.execute(
            insert(OrganisationRow),
            [{"id": "0" * 32, "name": "bench", "jurisdiction": "330100", "created_at": NOW}],
        )
        conn.execute(
            insert(VenueRow),
            [
                {
                    "id": v,
                    "name_zh": "超市",
                    "name_en": "Supermarket",
                    "kind": "supermarket",
                    "lat": 30.25,
                    "lon": 120.15,
                    "cell": "8830e1d8c5fffff",
                    "organisation_id": "0" * 32,
                    "jurisdiction": "330100",
                    "created_at": NOW,
                    "code_issued_at": NOW,
                    "place_code": "HZP1:bench",
                }
                for v in venues
            ],
        )
        conn.execute(
            insert(DeviceRow),
            [
                {
                    "id": d,
                    "venue_id": v,
                    "public_key": public_key_bytes(k.public_key()),
                    "registered_at": NOW,
                    "active": True,
                }
                for d, v, k in zip(ids, venues, keys, strict=True)
            ],
        )
    return Devices(keys, ids, venues)


def batches(devices: Devices, events: int, seed: int) -> Iterator[tuple[int, dict[str, object]]]:
    """Signed batches of 1,000 scans, generated one at a time (device, then its signed body)."""
    rng = random.Random(seed)
    for number in range(events // BATCH):
        d = number % VENUES
        start = NOW - timedelta(hours=12) + timedelta(seconds=number)
        scans = [
            ScanRecord(
                seq=number * BATCH + i,
                subject=f"{rng.randrange(PEOPLE):032x}",
                at=start + timedelta(milliseconds=i),
                outcome="pass",
                reason="ok",
                issuer="330100",
                temperature=36.5 if i % 10 == 0 else None,
            )
            for i in range(BATCH)
        ]
        yield d, sign_batch(devices.ids[d], scans, private_key=devices.keys[d])


def bare_rows(devices: Devices, d: int, body: dict[str, object]) -> list[tuple[object, ...]]:
    """The rows the service stores for a batch, built outside the timed region."""
    parsed = parse_batch(body)
    place, device = devices.venues[d], devices.ids[d]
    return [
        (  # in PRESENCE_COLUMNS order
            scan_id(device, s.seq),
            s.subject,
            s.at,
            NOW,
            None,
            False,
            place,
            "supermarket",
            s.at,
            "scan",
            "8830e1d8c5fffff",
        )
        for s in parsed.scans
    ]


def bench_engine(url: str, synchronous: str | None) -> Engine:
    """The product's engine; on SQLite with ``synchronous`` instead of its own, if given."""
    engine = build_engine(url)  # default pool: 5 connections, enough for the streams
    if synchronous is not None:  # after the engine's own pragmas: this one wins
        event.listen(
            engine, "connect", lambda dbapi, _: dbapi.execute(f"PRAGMA synchronous={synchronous}")
        )
    return engine


def wal_size(url: str) -> int:
    """Bytes in the SQLite write-ahead log of ``url`` now (0 on PostgreSQL or none yet)."""
    wal = url.removeprefix("sqlite:///") + "-wal"
    return os.path.getsize(wal) if url.startswith("sqlite") and os.path.exists(wal) else 0


def upload_chunk(factory: Any, chunk: list[dict[str, object]], streams: int) -> tuple[float, int]:
    """Seconds taken and scans stored by `streams` uploaders sending `chunk` through the
    service, each batch committed before its own acknowledgement."""
    cipher, cache, clock = PersonalDataCipher(b"\x01" * 32), ParsedPolicyCache(), FixedClock(NOW)
    pending = iter(chunk)
    lock = threading.Lock()
    stored = 0

    def uploader() -> None:
        nonlocal stored
        while True:
            with lock:
                body = next(pending, None)
            if body is None:
                return
            receipt = upload_scans(
                uow=SqlUnitOfWork(factory, cipher, cache, EventHandlers(EVENT_HANDLERS)),
                clock=clock,
                jurisdiction="330100",
                batch=body,
            )
            with lock:
                stored += receipt.stored

    started = time.perf_counter()
    workers = [threading.Thread(target=uploader) for _ in range(streams)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - started, stored


def run(url: str, events: int, streams: int, compare_normal: bool = False) -> dict[str, float]:
    engine = bench_engine(url, None)
    wal_peak = 0
    devices = populate(engine)
    # Baseline: a bare bulk insert of the same rows, one commit per batch.
    bare = 0.0
    progress = Progress("bare insert", events)
    for d, body in batches(devices, events, seed=1):
        rows = bare_rows(devices, d, body)
        started = time.perf_counter()
        raw_insert(engine, "presences", PRESENCE_COLUMNS, rows)
        bare += time.perf_counter() - started
        progress.advance(len(rows), bare)
    with engine.begin() as conn:
        conn.execute(delete(PresenceRow))
        conn.execute(delete(ScanBatchRow))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE presences"))
    # The service: the same batches, signed, through upload_scans, from `streams` uploaders
    # at once (each batch still committed before its own acknowledgement). Comparing, every
    # other chunk goes through connections with synchronous=NORMAL, so that both modes see
    # the same load and the same table sizes.
    factories = [build_session_factory(engine)]
    normal = bench_engine(url, "NORMAL") if compare_normal else None
    if normal is not None:
        factories.append(build_session_factory(normal))
    walls, counts = [0.0, 0.0], [0, 0]
    stored = 0
    samples = [rss_mib()]
    progress = Progress("service", events)
    source = batches(devices, events, seed=1)
    for number in itertools.count():
        # The devices' signed batches are made before the clock starts, a chunk at a time
        # (memory stays bounded); then the uploaders send the chunk.
        chunk = [body for _, body in itertools.islice(source, CHUNK)]
        if not chunk:
            break
        mode = number % len(factories)
        seconds, new = upload_chunk(factories[mode], chunk, streams)
        walls[mode] += seconds
        counts[mode] += len(chunk) * BATCH
        stored += new
        wal_peak = max(wal_peak, wal_size(url))
        samples.append(rss_mib())
        progress.advance(len(chunk) * BATCH, sum(walls), samples[-1])
    samples.append(rss_mib())
    disk = disk_per_row(engine, ("presences", "scan_batches"))
    engine.dispose()
    if normal is not None:
        normal.dispose()
    n = events // BATCH * BATCH
    assert stored == n, f"stored {stored} of {n}"
    return {
        "events": n,
        "streams": streams,
        "bare_per_s": n / bare,
        "service_per_s": counts[0] / walls[0],
        "normal_per_s": counts[1] / walls[1] if walls[1] else 0.0,
        "rss_first": samples[0],
        "rss_after_first_100": samples[min(5, len(samples) - 1)],
        "rss_peak": max(samples),
        "rss_last": samples[-1],
        "wal_peak_mib": wal_peak / 2**20,
        **disk,
    }


def report(backend: str, result: dict[str, float], target: int) -> None:
    ratio = result["service_per_s"] / result["bare_per_s"]
    verdict = "meets" if result["service_per_s"] >= target else "BELOW"
    print(
        f"{backend:10} {int(result['events']):>10,} events, {int(result['streams'])} stream(s)  "
        f"service {result['service_per_s']:>9,.0f}/s  bare insert {result['bare_per_s']:>9,.0f}/s  "
        f"ratio {ratio:.2f}  ({verdict} the {target:,}/s target)"
    )
    print(
        f"{'':10} anon RSS MiB: start {result['rss_first']:.0f}, after 100 batches "
        f"{result['rss_after_first_100']:.0f}, peak {result['rss_peak']:.0f}, "
        f"end {result['rss_last']:.0f}"
        + (
            f"; write-ahead log peak {result['wal_peak_mib']:.1f} MiB"
            if backend.startswith("sqlite")
            else ""
        )
    )
    if "presences_total_bytes" in result:
        print(
            f"{'':10} on disk: {result['presences_total_bytes']:.0f} bytes a presence "
            f"({result['presences_heap_bytes']:.0f} table, the rest indexes), "
            f"{result['scan_batches_total_bytes']:.0f} bytes a batch record of {BATCH:,} scans"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000, help="events per backend")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--streams", type=int, default=2, help="concurrent uploaders on PostgreSQL (SQLite: 1)"
    )
    parser.add_argument(
        "--compare-normal",
        action="store_true",
        help="SQLite: every other chunk with synchronous=NORMAL (not durable), to compare",
    )
    args = parser.parse_args()
    print(f"batches of {BATCH:,}, {VENUES} devices, {PEOPLE:,} people; committed before the ack")
    if args.backend in ("postgresql", "both"):
        with postgres_database() as url:
            report("postgresql", run(url, args.events, args.streams), 20_000)
    if args.backend in ("sqlite", "both"):
        with sqlite_database("ingest.db") as url:
            result = run(url, args.events, 1, compare_normal=args.compare_normal)
            report("sqlite", result, 10_000)
        if args.compare_normal:
            cost = result["service_per_s"] / result["normal_per_s"]
            print(
                f"{'':10} alternate chunks: durable (FULL) {result['service_per_s']:,.0f}/s, "
                f"synchronous=NORMAL {result['normal_per_s']:,.0f}/s, FULL / NORMAL {cost:.2f}"
            )


if __name__ == "__main__":
    main()
