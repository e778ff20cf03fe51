"""Benchmark: from confirming a case to every contact's status changed and notification queued.

A generated city: ``--residents`` people (default 100,000) in households of 1-4, each bound to a
channel and green, with 14 days of 6 presences a day (≈ 8.4 M presences at full size): a night
at home and a day at work as location stays (H3 cells), badge-scanned work hours at a workplace
of about 10 people, two bus rides (one of 20 vehicles of a line, 15-40 min, in the rush hours)
and a check-in at one of the city's shops and restaurants. Rows are bulk-loaded straight into
the migrated schema (COPY on PostgreSQL, executemany on SQLite), then ANALYZEd.

Timed through the real services under the Hangzhou policy (household, venue >= 15 min,
transit, secondary contacts; 14 days central quarantine for close contacts): a second
official's approval of the report (case fact, status, job queued) and a worker running the
tracing job (exposures with evidence, quarantine orders, every status reassessed, changes
recorded and queued to the outbox, in one transaction). Median over ``--cases`` single cases,
then ``--batch`` cases confirmed together and drained by the workers (one on SQLite,
``--workers`` threads on PostgreSQL). Baseline in the same run: the read-only preview of the
same case (tracing without recording); the ratio is confirm-to-queued / preview.

Targets: median <= 1 s per case, 100 cases <= 30 s, on PostgreSQL and on SQLite.

Run: `.venv/bin/python bench/trace.py [--residents N] [--cases K] [--batch B]
[--backend sqlite|postgresql|both] [--workers W]` (PostgreSQL: a scratch database is created
and dropped on HEALTHCODE_BENCH_POSTGRES_URL, default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from healthcode.bootstrap import EVENT_HANDLERS, JOB_KINDS, PROPOSAL_KINDS
from healthcode.db.engine import build_engine, build_session_factory
from healthcode.db.migrate import upgrade
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.identity.channels import add_channel
from healthcode.identity.encryption import PersonalDataCipher
from healthcode.identity.officials import add_official, official_principal
from healthcode.jobs.model import JobKinds
from healthcode.jobs.tables import JobRow
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.facts import Colour
from healthcode.kernel.status import Status
from healthcode.kernel.uow import EventHandlers
from healthcode.notifications.status_changes import WEBHOOK
from healthcode.oversight.kinds import ProposalKinds
from healthcode.policies.repository import ParsedPolicyCache
from healthcode.policy.bundled import bundled_policy
from healthcode.status.codec import encode
from healthcode.status.tables import StatusChangeRow
from healthcode.tracing import cases
from healthcode.tracing.model.cases import CaseReport
from healthcode.tracing.tables import TracedFactRow
from healthcode.worker import PassReport, Worker

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)  # 10:00 in Hangzhou
LOCAL = timedelta(hours=8)
DAYS = 14
JURISDICTION = "330100"
ADMIN_URL = os.environ.get(
    "HEALTHCODE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PRESENCE_COLUMNS = (
    "id",
    "subject",
    "at",
    "recorded_at",
    "supersedes",
    "retracted",
    "place_id",
    "place_kind",
    "until",
    "source",
    "cell",
)
CHUNK = 200_000
RIDERS = 0.35  # public transport's share of commutes in a Chinese city (assumption)


def subject_of(i: int) -> str:
    return f"{i:032x}"


@dataclass
class City:
    residents: int
    households: list[int]  # household number of each resident

    @property
    def presences(self) -> int:
        return self.residents * DAYS * 6


def plan_city(residents: int, rng: random.Random) -> City:
    households: list[int] = []
    house = 0
    while len(households) < residents:
        households.extend([house] * rng.choice((1, 2, 2, 3, 3, 4)))
        house += 1
    return City(residents, households[:residents])


def presence_rows(city: City, seed: int) -> Iterator[tuple[Any, ...]]:
    """Six presences a day for 14 days per resident, as column tuples (times as datetimes)."""
    rng = random.Random(seed)
    n = city.residents
    workplaces, shops, lines = max(1, n // 10), max(1, n // 20), max(1, n // 500)
    first_day = (NOW + LOCAL).replace(hour=0, minute=0, second=0, microsecond=0) - LOCAL
    first_day -= timedelta(days=DAYS)
    seq = 0
    for i in range(n):
        subject = subject_of(i)
        home_cell = f"88{city.households[i] // 100:013x}"
        work = rng.randrange(workplaces)
        work_id, work_cell = f"w{work:031x}", f"89{work // 30:013x}"
        line = rng.randrange(lines)
        rider = rng.random() < RIDERS  # the others walk, cycle or drive: location stays
        commute_cell = f"8a{(city.households[i] // 100) * 7 + work // 30:013x}"
        for day in range(DAYS):
            midnight = first_day + timedelta(days=day)

            def at(hours: float, jitter: float = 0.0, midnight: datetime = midnight) -> datetime:
                return midnight + timedelta(hours=hours + rng.uniform(0, jitter))

            rides = []
            for rush in (7.0, 17.0):
                start = at(rush, 1.5)
                end = start + timedelta(minutes=rng.uniform(15, 40))
                if rider:
                    trip = f"l{line:07x}:{rng.randrange(20)}"
                    rides.append((start, end, trip, "bus_route", "transit", None))
                else:
                    rides.append((start, end, commute_cell, "cell", "telecom", commute_cell))
            arrive, leave = at(8.5, 0.5), at(17.0, 0.5)
            home_from, home_to = at(19.0, 1.0), at(31.0, 1.0)
            shop = at(11.0, 10.0)
            items = (
                (home_from, home_to, home_cell, "cell", "gps", home_cell),
                rides[0],
                (arrive, leave, work_id, "office", "scan", work_cell),
                (arrive, leave, work_cell, "cell", "gps", work_cell),
                rides[1],
                (shop, shop, f"s{rng.randrange(shops):031x}", "restaurant", "checkin", None),
            )
            for start, end, place, kind, source, cell in items:
                yield (
                    f"{seq:032x}",
                    subject,
                    start,
                    start,
                    None,
                    False,
                    place,
                    kind,
                    end,
                    source,
                    cell,
                )
                seq += 1


def _sqlite_time(value: datetime) -> str:
    text_ = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return text_ if len(text_) == 26 else text_ + ".000000"


def _copy(raw: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write(
            "\t".join(
                "\\N"
                if v is None
                else v.isoformat()
                if isinstance(v, datetime)
                else ("t" if v else "f")
                if isinstance(v, bool)
                else "\\\\x" + v.hex()
                if isinstance(v, bytes)
                else str(v)
                for v in row
            )
            + "\n"
        )
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        copy.write(buffer.getvalue())


def bulk(engine: Engine, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    with engine.begin() as conn:
        raw: Any = conn.connection.driver_connection
        if engine.dialect.name == "postgresql":
            _copy(raw, table, columns, rows)
            return
        converted = [
            tuple(_sqlite_time(v) if isinstance(v, datetime) else v for v in row) for row in rows
        ]
        marks = ", ".join("?" * len(columns))
        raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", converted)


def populate(engine: Engine, city: City, seed: int, channel: str) -> None:
    blob = b"\x00" * 40
    policy = bundled_policy(JURISDICTION)
    people = [
        (
            subject_of(i),
            JURISDICTION,
            "resident",
            f"{i:064x}",
            f"{i:064x}",
            f"{city.households[i]:064x}",
            blob,
            blob,
            blob,
            blob,
            NOW - timedelta(days=30),
        )
        for i in range(city.residents)
    ]
    bulk(
        engine,
        "persons",
        (
            "subject",
            "jurisdiction",
            "id_type",
            "id_lookup",
            "phone_lookup",
            "household",
            "name_enc",
            "id_number_enc",
            "phone_enc",
            "address_enc",
            "registered_at",
        ),
        people,
    )
    bindings = [
        (channel, f"u{i}", subject_of(i), NOW - timedelta(days=30)) for i in range(city.residents)
    ]
    bulk(
        engine,
        "channel_bindings",
        ("channel_id", "channel_user_id", "subject", "bound_at"),
        bindings,
    )
    assessed = NOW - timedelta(days=1)
    statuses = []
    for i in range(city.residents):
        status = Status(
            subject=subject_of(i),
            colour=Colour.GREEN,
            reasons=(),
            notices=(),
            valid_until=None,
            policy_version=policy.version,
            assessed_at=assessed,
        )
        body = encode(status)
        statuses.append((status.subject, "green", assessed, None, policy.version, json.dumps(body)))
    bulk(
        engine,
        "current_statuses",
        ("subject", "colour", "assessed_at", "valid_until", "policy_version", "body"),
        statuses,
    )
    rows: list[tuple[Any, ...]] = []
    for row in presence_rows(city, seed):
        rows.append(row)
        if len(rows) == CHUNK:
            bulk(engine, "presences", PRESENCE_COLUMNS, rows)
            rows = []
    bulk(engine, "presences", PRESENCE_COLUMNS, rows)


PRESENCE_INDEXES = ("ix_presences_subject_at", "ix_presences_place_id_at", "ix_presences_cell_at")


def drop_indexes(engine: Engine) -> None:
    with engine.begin() as conn:
        for name in PRESENCE_INDEXES:
            conn.execute(text(f"DROP INDEX {name}"))


def create_indexes(engine: Engine) -> None:
    columns = {
        "ix_presences_subject_at": "subject, at",
        "ix_presences_place_id_at": "place_id, at",
        "ix_presences_cell_at": "cell, at",
    }
    with engine.begin() as conn:
        for name, cols in columns.items():
            conn.execute(text(f"CREATE INDEX {name} ON presences ({cols})"))
        conn.execute(text("ANALYZE"))


PROPOSALS = ProposalKinds(PROPOSAL_KINDS)
JOBS = JobKinds(JOB_KINDS)


@dataclass
class Env:
    engine: Engine
    uow: Any
    clock: FixedClock


def counts(env: Env) -> tuple[int, int, int]:
    """Traced facts (exposures and orders), status changes and queued notifications so far."""
    with env.engine.connect() as conn:
        return (
            conn.scalar(select(func.count()).select_from(TracedFactRow)) or 0,
            conn.scalar(select(func.count()).select_from(StatusChangeRow)) or 0,
            conn.scalar(select(func.count()).select_from(JobRow).where(JobRow.kind == WEBHOOK))
            or 0,
        )


def report_case(env: Env, subject: str) -> str:
    wang = official_principal(uow=env.uow(), username="wang")
    proposal = cases.report_case(
        uow=env.uow(),
        clock=env.clock,
        kinds=PROPOSALS,
        principal=wang,
        report=CaseReport(
            subject=subject,
            sampled_at=NOW - timedelta(hours=12),
            onset_at=NOW - timedelta(days=1),
            test_reference="BENCH",
        ),
        reason="bench",
    )
    return str(proposal.payload["case_id"])


def drain(env: Env, workers: int) -> int:
    done: list[int] = []

    def run(name: str) -> None:
        worker = Worker(
            uow_factory=env.uow,
            clock=env.clock,
            kinds=JOBS,
            name=name,
            max_jobs_per_pass=1_000_000,
        )
        report = PassReport()
        worker.run_jobs(report)
        done.append(report.jobs_done)

    threads = [threading.Thread(target=run, args=(f"bench-{i}",)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done)


def measure(env: Env, city: City, args: argparse.Namespace, rng: random.Random, label: str) -> None:
    li = official_principal(uow=env.uow(), username="li")
    picks = rng.sample(range(city.residents), args.cases + args.batch)
    single, previews, found = [], [], []
    for i in picks[: args.cases]:
        case_id = report_case(env, subject_of(i))
        started = time.perf_counter()
        preview = cases.preview_case(uow=env.uow(), clock=env.clock, principal=li, case_id=case_id)
        previews.append(time.perf_counter() - started)
        before = counts(env)
        started = time.perf_counter()
        cases.confirm_case(
            uow=env.uow(), clock=env.clock, kinds=PROPOSALS, principal=li, case_id=case_id
        )
        drain(env, 1)
        single.append(time.perf_counter() - started)
        after = counts(env)
        found.append(
            (preview.exposures, preview.people, after[1] - before[1], after[2] - before[2])
        )
        env.clock.advance(timedelta(seconds=1))
    med = statistics.median(single)
    print(
        f"[{label}] one case, median of {len(single)}: {med:.3f} s "
        f"(min {min(single):.3f}, max {max(single):.3f}); target <= 1 s"
    )
    print(
        f"[{label}]   baseline (read-only preview of the same case) median "
        f"{statistics.median(previews):.3f} s; ratio {med / statistics.median(previews):.1f}"
    )
    for (exposures, people, changes, queued), seconds in zip(found, single, strict=True):
        print(
            f"[{label}]   {exposures:>6,} exposures, {people:>6,} people, {changes:>6,} status "
            f"changes, {queued:>6,} notifications queued: {seconds:.3f} s"
        )
    batch_ids = [report_case(env, subject_of(i)) for i in picks[args.cases :]]
    before = counts(env)
    workers = 1 if env.engine.dialect.name == "sqlite" else args.workers
    started = time.perf_counter()
    for case_id in batch_ids:
        cases.confirm_case(
            uow=env.uow(), clock=env.clock, kinds=PROPOSALS, principal=li, case_id=case_id
        )
    jobs = drain(env, workers)
    elapsed = time.perf_counter() - started
    after = counts(env)
    print(
        f"[{label}] {len(batch_ids)} cases confirmed together, {jobs} tracing jobs, "
        f"{workers} worker(s): {elapsed:.2f} s; target <= 30 s"
    )
    print(
        f"[{label}]   {after[0] - before[0]:,} exposures and orders recorded, "
        f"{after[1] - before[1]:,} status changes, {after[2] - before[2]:,} notifications queued"
    )


def setup(url: str, args: argparse.Namespace, label: str) -> None:
    rng = random.Random(args.seed)
    engine = build_engine(url)
    upgrade(engine)
    city = plan_city(args.residents, rng)
    cipher = PersonalDataCipher(b"\x01" * 32)
    factory = build_session_factory(engine)
    cache = ParsedPolicyCache()
    clock = FixedClock(NOW)

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(factory, cipher, cache, EventHandlers(EVENT_HANDLERS))

    key = Ed25519PrivateKey.generate().public_key()
    pem = key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    channel = add_channel(
        uow=uow(),
        clock=clock,
        principal=None,
        name="alipay",
        public_key_pem=pem,
        webhook_url="http://127.0.0.1:9/hook",
    )
    for name, role in (("wang", "official"), ("li", "supervisor")):
        add_official(
            uow=uow(),
            clock=clock,
            principal=None,
            username=name,
            role=role,
            jurisdiction=JURISDICTION,
            password="correct horse battery",
        )
    started = time.perf_counter()
    drop_indexes(engine)
    populate(engine, city, args.seed, channel.id)
    create_indexes(engine)
    gc.collect()  # the generated city's garbage is not the worker's: start from a clean heap
    gc.freeze()
    print(
        f"[{label}] city of {city.residents:,} residents, {city.presences:,} presences "
        f"loaded and indexed in {time.perf_counter() - started:.1f} s"
    )
    try:
        measure(Env(engine, uow, clock), city, args, rng, label)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=5, help="single cases (median)")
    parser.add_argument("--batch", type=int, default=100, help="cases confirmed together")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--workers", type=int, default=2, help="worker threads on PostgreSQL")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            setup(f"sqlite:///{Path(folder) / 'bench.db'}", args, "sqlite")
    if args.backend in ("postgresql", "both"):
        name = f"hc_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
            setup(url, args, "postgresql")
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
