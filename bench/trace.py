"""Benchmark: from confirming a case to every contact's status changed and notification queued.

A generated city: ``--residents`` people (default 100,000) in households of 1-4, each bound to a
channel and green, with 14 days of 6 presences a day (≈ 8.4 M presences at full size): a night
at home and a day at work as location stays (H3 cells), badge-scanned work hours at a workplace
of about 10 people, two bus rides (one of 20 vehicles of a line, 15-40 min, in the rush hours)
and a check-in at one of the city's shops and restaurants. Rows are bulk-loaded straight into
the migrated schema, streamed a block of 10,000 residents at a time (binary COPY from
``--loaders`` processes on PostgreSQL, executemany on SQLite: a million residents' 84 M rows are
never held), then indexed and ANALYZEd; each phase's time and, on PostgreSQL, the disk used
(``pg_database_size``, the presences' partitions with and without their indexes) are printed.

Timed through the real services under the Hangzhou policy (household, venue >= 15 min,
transit, secondary contacts; 14 days central quarantine for close contacts): a second
official's approval of the report (case fact, status, job queued) and a worker running the
tracing job (exposures with evidence, quarantine orders, every status reassessed, changes
recorded and queued to the outbox, in one transaction). Median over ``--cases`` single cases,
then ``--batch`` cases confirmed together and drained by the workers (one on SQLite,
``--workers`` threads on PostgreSQL, or forked processes with ``--processes``, as `healthcode
worker` runs; ``--compare``: then another batch with the other kind). Baseline in the same
run: the read-only preview of the same case (tracing without recording); the ratio is
confirm-to-queued / preview.

Targets: median <= 1 s per case, 100 cases <= 30 s, on PostgreSQL and on SQLite; at 1 M
residents (84 M presences, PostgreSQL, issue 12 item 7) <= 1 s and < 60 s with two workers.

``--scenario busy-venue`` runs bench/busy.py's scenario instead: one case with 520 scans at a
venue holding 156,000 in its window; the preview (target under 2 s) against matching pair by
pair, then tracing it.

Run: `.venv/bin/python bench/trace.py [--residents N] [--cases K] [--batch B]
[--backend sqlite|postgresql|both] [--workers W] [--processes] [--compare] [--loaders L]
[--scenario city|busy-venue]` (PostgreSQL: a scratch database is created and dropped on
HEALTHCODE_BENCH_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres,
also when the run is ended by SIGTERM, e.g. by `timeout`).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import signal
import statistics
import sys
import time
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import func, select

from busy import VENUE, add_arguments, compare, populate_busy
from city import (
    DAYS,
    JURISDICTION,
    NOW,
    City,
    create_indexes,
    drop_indexes,
    plan_city,
    populate_people,
    populate_presences,
    subject_of,
)
from drain import Env, drain
from healthcode.bootstrap import EVENT_HANDLERS, PROPOSAL_KINDS
from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.engine import build_engine, build_session_factory
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.identity.channels import add_channel
from healthcode.identity.officials import OfficialAccount, add_official, official_principal
from healthcode.jobs.tables import JobRow
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.uow import EventHandlers
from healthcode.notifications.status_changes import WEBHOOK
from healthcode.oversight.kinds import ProposalKinds
from healthcode.policies.repository import ParsedPolicyCache
from healthcode.status.tables import StatusChangeRow
from healthcode.tracing import cases
from healthcode.tracing.model.cases import CaseReport
from healthcode.tracing.model.findings import OverlapQuery, assumed_slack, visit_of
from healthcode.tracing.reads import PLACE_LOOKBACK
from healthcode.tracing.settings import TracingSettings
from healthcode.tracing.tables import TracedFactRow
from scratch import disk_used, make_days, postgres_database, sqlite_database

PROPOSALS = ProposalKinds(PROPOSAL_KINDS)


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


def measure(env: Env, city: City, args: argparse.Namespace, rng: random.Random, label: str) -> None:
    li = official_principal(uow=env.uow(), username="li")
    picks = rng.sample(range(city.residents), args.cases + args.batch * (1 + args.compare))
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
        f"(min {min(single):.3f}, max {max(single):.3f}); target <= 1 s "
        f"(load {os.getloadavg()[0]:.1f})"
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
    kinds = [args.processes, not args.processes] if args.compare else [args.processes]
    for n, processes in enumerate(kinds):
        batch = picks[args.cases + n * args.batch : args.cases + (n + 1) * args.batch]
        ids = [report_case(env, subject_of(i)) for i in batch]
        measure_batch(env, ids, args.workers, processes, label)


def measure_batch(
    env: Env, batch_ids: list[str], workers: int, processes: bool, label: str
) -> None:
    """The cases confirmed together, then drained by the workers (threads or processes)."""
    li = official_principal(uow=env.uow(), username="li")
    before = counts(env)
    workers = 1 if env.engine.dialect.name == "sqlite" else workers
    started = time.perf_counter()
    for case_id in batch_ids:
        cases.confirm_case(
            uow=env.uow(), clock=env.clock, kinds=PROPOSALS, principal=li, case_id=case_id
        )
    jobs = drain(env, workers, processes)
    elapsed = time.perf_counter() - started
    kind = "processes" if processes and workers > 1 else "thread(s)"
    after = counts(env)
    print(
        f"[{label}] {len(batch_ids)} cases confirmed together, {jobs} tracing jobs, "
        f"{workers} worker {kind}: {elapsed:.2f} s; target <= 30 s (< 60 s at 1 M "
        f"residents) (load {os.getloadavg()[0]:.1f})"
    )
    print(
        f"[{label}]   {after[0] - before[0]:,} exposures and orders recorded, "
        f"{after[1] - before[1]:,} status changes, {after[2] - before[2]:,} notifications queued"
    )


def measure_busy(env: Env, args: argparse.Namespace, case: str, label: str) -> None:
    """The busy venue: the case's preview, the pair-by-pair baseline, then tracing it."""
    li = official_principal(uow=env.uow(), username="li")
    case_id = report_case(env, case)
    started, cpu = time.perf_counter(), time.process_time()
    preview = cases.preview_case(uow=env.uow(), clock=env.clock, principal=li, case_id=case_id)
    previewed, cpu = time.perf_counter() - started, time.process_time() - cpu
    settings = TracingSettings()
    window = preview.window
    query = OverlapQuery(window.start, window.end, PLACE_LOOKBACK, assumed_slack(settings))
    with env.uow() as uow:
        visits = [visit_of(p, settings) for p in uow.tracing.presences_at([VENUE], query)]
    own = [v for v in visits if v.subject == case]
    others = [v for v in visits if v.subject != case]
    print(
        f"[{label}] preview of a case with {len(own)} scans at a venue with {len(others):,} "
        f"scans in its window: {previewed:.3f} s; target < 2 s (this process's CPU: "
        f"{cpu:.3f} s; load {os.getloadavg()[0]:.1f})"
    )
    print(
        f"[{label}]   {preview.exposures:,} exposures, {preview.people:,} people "
        f"{dict(preview.by_rule)}, {preview.quarantine_orders:,} quarantine orders"
    )
    brute, sweep, sample, contacts = compare(own, others, window, args.baseline_share)
    print(
        f"[{label}]   baseline: the case's {len(own)} visits matched pair by pair against "
        f"{sample:,} of the venue's visits: {brute:.3f} s (x {len(others) / sample:.0f} "
        f"= {brute * len(others) / sample:.0f} s for all); the sweep on the same "
        f"{sample:,}: {sweep:.3f} s, {contacts:,} contacts alike; ratio {brute / sweep:.1f}"
    )
    before = counts(env)
    started = time.perf_counter()
    cases.confirm_case(
        uow=env.uow(), clock=env.clock, kinds=PROPOSALS, principal=li, case_id=case_id
    )
    drain(env, 1)
    traced = time.perf_counter() - started
    after = counts(env)
    print(
        f"[{label}] confirmed and traced in {traced:.2f} s: {after[0] - before[0]:,} exposures "
        f"and orders recorded, {after[1] - before[1]:,} status changes, "
        f"{after[2] - before[2]:,} notifications queued"
    )


def prepare(url: str, label: str) -> tuple[Env, str]:
    """A migrated database with officials wang and li; the environment and the channel id."""
    engine = build_engine(url)
    make_days(engine, (NOW - timedelta(days=DAYS + 1)).date(), DAYS + 3)  # migrated, + days
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
            account=OfficialAccount(
                username=name,
                role=role,
                jurisdiction=JURISDICTION,
                password="correct horse battery",
            ),
            serving=JURISDICTION,
        )
    return Env(engine, uow, clock), channel.id


def setup(url: str, args: argparse.Namespace, label: str) -> None:
    rng = random.Random(args.seed)
    env, channel = prepare(url, label)
    started = time.perf_counter()
    drop_indexes(env.engine)
    if args.scenario == "busy-venue":
        city, case = populate_busy(env.engine, args, channel)
        presences = "the busy venue's"
    else:
        city = plan_city(args.residents, rng)
        populate_people(env.engine, city, channel)
        people = time.perf_counter() - started
        populate_presences(env.engine, city, args.seed, args.loaders)
        loaded = time.perf_counter() - started - people
        print(
            f"[{label}]   residents (persons, bindings, statuses) {people:.1f} s; "
            f"{city.presences:,} presences streamed in {loaded:.1f} s "
            f"(load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        presences = f"{city.presences:,}"
    took = create_indexes(env.engine)
    gc.collect()  # the generated city's garbage is not the worker's: start from a clean heap
    gc.freeze()
    print(f"[{label}]   " + "; ".join(f"{k} {v:.1f} s" for k, v in took.items()))
    print(
        f"[{label}] city of {city.residents:,} residents, {presences} presences "
        f"loaded and indexed in {time.perf_counter() - started:.1f} s "
        f"(load {os.getloadavg()[0]:.1f})",
        flush=True,
    )
    used = disk_used(env.engine, "presences")
    if used:
        database, total, heap = used
        print(
            f"[{label}]   on disk: database {database / 2**30:.2f} GiB; presences "
            f"{total / 2**30:.2f} GiB with indexes ({heap / 2**30:.2f} GiB the rows), "
            f"{total / max(1, city.presences):.0f} bytes a presence",
            flush=True,
        )
    try:
        if args.scenario == "busy-venue":
            measure_busy(env, args, case, label)
        else:
            measure(env, city, args, rng, label)
    finally:
        env.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=5, help="single cases (median)")
    parser.add_argument("--batch", type=int, default=100, help="cases confirmed together")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--workers", type=int, default=2, help="worker threads on PostgreSQL")
    parser.add_argument(
        "--processes",
        action="store_true",
        help="the workers as processes (as `healthcode worker` runs), not threads (PostgreSQL)",
    )
    parser.add_argument(
        "--compare", action="store_true", help="then another batch with the other kind of workers"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--loaders", type=int, default=2, help="processes COPYing presences (PostgreSQL)"
    )
    parser.add_argument(
        "--scenario",
        choices=("city", "busy-venue"),
        default="city",
        help="the generated city (default), or one case at a busy venue (bench/busy.py)",
    )
    add_arguments(parser)
    args = parser.parse_args()
    # a `timeout` or kill ends the run through the scratch databases' clean-up, not around it
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.backend in ("sqlite", "both"):
        with sqlite_database("bench.db") as url:
            setup(url, args, "sqlite")
    if args.backend in ("postgresql", "both"):
        with postgres_database() as url:
            setup(url, args, "postgresql")


if __name__ == "__main__":
    main()
