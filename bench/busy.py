"""The trace benchmark's busy venue: one case with many scans at a venue that holds very many.

A venue (a hospital) with ``--venue-scans`` check-ins (default 156,000) in the case's infectious
window of three days, by ``--visitors`` people (default 52,000, three scans each on average), at
that rate for the 14 days before too; each visitor also checks in twice a day at one of the
city's shops. The case (a resident like the others) has ``--case-scans`` check-ins (default 520)
at the venue, at random times in the window. Check-ins are instants: tracing counts each as a
stay of an hour, so nearly every visitor overlaps the case by 15 minutes or more.

Timed through the real services under the Hangzhou policy: the read-only preview of the reported
case (target under 2 s), then its confirmation and the tracing job. Baseline in the same run:
matching the case's visits against a share of the venue's visits (``--baseline-share``) pair by
pair, as tracing did before it swept sorted intervals, against the sweep on the same share; the
two must find the same contacts.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from city import CHUNK, DAYS, NOW, City, plan_city, populate_people, subject_of
from healthcode.tracing.model.contacts import close_contacts
from healthcode.tracing.model.findings import Interval, Visit
from healthcode.tracing.settings import TracingSettings
from scratch import PRESENCE_COLUMNS, raw_insert

VENUE = "b" + "0" * 31
WINDOW_DAYS = 3  # onset a day before the report, the window two days before that


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--venue-scans", type=int, default=156_000, help="scans in the window")
    parser.add_argument("--case-scans", type=int, default=520)
    parser.add_argument("--visitors", type=int, default=52_000)
    parser.add_argument("--errands", type=int, default=0, help="shop check-ins a visitor a day")
    parser.add_argument(
        "--baseline-share",
        type=float,
        default=0.02,
        help="share of the venue's visits the pair-by-pair baseline matches",
    )


def _checkin(seq: int, subject: str, at: datetime, place: str, kind: str) -> tuple[Any, ...]:
    return (f"{seq:032x}", subject, at, at, None, False, place, kind, at, "checkin", None)


def _rows(args: argparse.Namespace, case: str, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    window = timedelta(days=WINDOW_DAYS).total_seconds()
    history = timedelta(days=DAYS).total_seconds()
    start = NOW - timedelta(days=DAYS)
    seq = 0
    # the venue at the window's rate for the 14 days, and the case's scans in the window
    for _ in range(int(args.venue_scans * history / window)):
        at = start + timedelta(seconds=rng.uniform(0, history))
        yield _checkin(seq, subject_of(rng.randrange(args.visitors)), at, VENUE, "hospital")
        seq += 1
    for _ in range(args.case_scans):
        at = NOW - timedelta(seconds=rng.uniform(0, window))
        yield _checkin(seq, case, at, VENUE, "hospital")
        seq += 1
    shops = max(1, args.visitors // 25)
    for i in range(args.visitors):
        for errand in range(WINDOW_DAYS * args.errands):
            at = NOW - timedelta(days=errand / args.errands, seconds=rng.uniform(0, 86_400))
            shop = f"s{rng.randrange(shops):031x}"
            yield _checkin(seq, subject_of(i), at, shop, "restaurant")
            seq += 1


def populate_busy(engine: Engine, args: argparse.Namespace, channel: str) -> tuple[City, str]:
    """The visitors and the case (the last resident), their presences; the case's subject."""
    rng = random.Random(args.seed)
    city = plan_city(args.visitors + 1, rng)
    populate_people(engine, city, channel)
    case = subject_of(args.visitors)
    rows: list[tuple[Any, ...]] = []
    for row in _rows(args, case, rng):
        rows.append(row)
        if len(rows) == CHUNK:
            raw_insert(engine, "presences", PRESENCE_COLUMNS, rows)
            rows = []
    raw_insert(engine, "presences", PRESENCE_COLUMNS, rows)
    return city, case


def pairwise(
    case_visits: Sequence[Visit], candidates: Sequence[Visit], window: Interval, minimum: float
) -> set[tuple[str, Interval, Interval]]:
    """The baseline: every candidate against every visit of the case at its place, as tracing
    matched before it swept sorted intervals (the contacts of the venue rule)."""
    found: set[tuple[str, Interval, Interval]] = set()
    for candidate in candidates:
        for source in case_visits:
            clipped = source.interval.overlap(window)
            if clipped is None or source.place_id != candidate.place_id:
                continue
            common = clipped.overlap(candidate.interval)
            if common is not None and common.minutes >= minimum:
                found.add((candidate.subject, clipped, candidate.interval))
    return found


def swept(
    case_visits: Sequence[Visit], candidates: Sequence[Visit], window: Interval
) -> set[tuple[str, Interval, Interval]]:
    """The same contacts, found by tracing's own rules (the sweep)."""
    findings = close_contacts(
        case_subject=case_visits[0].subject if case_visits else "",
        window=window,
        case_visits=case_visits,
        candidates=candidates,
        household=(),
        settings=TracingSettings(household=False, transit=False),
    )
    return {
        (f.subject, c.source_interval, c.contact_interval) for f in findings for c in f.contacts
    }


def compare(
    case_visits: Sequence[Visit], candidates: Sequence[Visit], window: Interval, share: float
) -> tuple[float, float, int, int]:
    """Seconds of the pair-by-pair baseline and of the sweep on ``share`` of the candidates,
    with the contacts each found (they must agree)."""
    sample = candidates[: max(1, int(len(candidates) * share))]
    started = time.perf_counter()
    old = pairwise(case_visits, sample, window, TracingSettings().venue_min_overlap_minutes)
    brute = time.perf_counter() - started
    started = time.perf_counter()
    new = swept(case_visits, sample, window)
    sweep = time.perf_counter() - started
    if old != new:
        raise SystemExit(f"the sweep found {len(new)} contacts, pair by pair {len(old)}")
    return brute, sweep, len(sample), len(old)
