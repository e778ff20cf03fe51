"""The trace benchmark's city: residents in households, each bound to a channel and green,
with 14 days of six presences a day, bulk-loaded into a migrated schema.

A day is a night at home and a day at work as location stays (H3 cells), badge-scanned work
hours at a workplace of about 10 people, two rides in the rush hours (on one of 20 vehicles of a
bus line for the riders, a telecom cell for the others) and a check-in at a shop or restaurant.
"""

from __future__ import annotations

import itertools
import multiprocessing
import random
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import Engine, text

from healthcode.db.encryption import PersonalDataCipher
from healthcode.kernel.facts import Colour
from healthcode.kernel.status import Status
from healthcode.policy.bundled import bundled_policy
from healthcode.status.repository import CURRENT, body_text, seal_body
from scratch import PRESENCE_COLUMNS, raw_insert

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)  # 10:00 in Hangzhou
LOCAL = timedelta(hours=8)
DAYS = 14
JURISDICTION = "330100"
CHUNK = 200_000
BLOCK = 10_000  # residents a presence generator (and a loader's COPY) covers
# every bench opens its database with this key (``PersonalDataCipher(b"\x01" * 32)``)
BENCH_CIPHER = PersonalDataCipher(b"\x01" * 32)
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


def presence_rows(city: City, seed: int, block: int) -> Iterator[tuple[Any, ...]]:
    """Six presences a day for 14 days for each resident of ``block`` (residents
    ``block * BLOCK`` on, drawn from their own generator: blocks load in any order or process),
    as column tuples (times as datetimes)."""
    rng = random.Random(f"{seed}/{block}")
    n = city.residents
    residents = range(block * BLOCK, min((block + 1) * BLOCK, n))
    workplaces, shops, lines = max(1, n // 10), max(1, n // 20), max(1, n // 500)
    first_day = (NOW + LOCAL).replace(hour=0, minute=0, second=0, microsecond=0) - LOCAL
    first_day -= timedelta(days=DAYS)
    seq = residents.start * DAYS * 6
    for i in residents:
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


def populate_presences(engine: Engine, city: City, seed: int, loaders: int = 1) -> None:
    """The city's presences, streamed block by block (no more than a block's COPY buffer or a
    chunk is ever held: 1 M residents make 84 M rows). PostgreSQL: ``loaders`` processes, each
    COPYing whole blocks in binary, the partitioned table routing each row to its day."""
    blocks = range(-(-city.residents // BLOCK))
    if engine.dialect.name != "postgresql":
        for block in blocks:
            rows = presence_rows(city, seed, block)
            while chunk := list(itertools.islice(rows, CHUNK)):
                raw_insert(engine, "presences", PRESENCE_COLUMNS, chunk)
        return
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    _LOADING[:] = [url, city, seed]  # the forked loaders' copy: not pickled per block
    with ProcessPoolExecutor(loaders, mp_context=multiprocessing.get_context("fork")) as pool:
        for _ in pool.map(_copy_block, blocks):
            pass


_LOADING: list[Any] = []


_TYPES = [
    "text",
    "text",
    "timestamptz",
    "timestamptz",
    "text",
    "bool",
    "text",
    "text",
    "timestamptz",
    "text",
    "text",
]


def _copy_block(block: int) -> None:
    """One block's presences in one binary COPY (in a loader process, on its own connection)."""
    url, city, seed = _LOADING
    names = ", ".join(PRESENCE_COLUMNS)
    with (
        psycopg.connect(url) as conn,
        conn.cursor() as cursor,
        cursor.copy(f"COPY presences ({names}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(_TYPES)
        for row in presence_rows(city, seed, block):
            copy.write_row(row)


def populate_people(engine: Engine, city: City, channel: str) -> None:
    """The city's residents, each bound to ``channel`` and green (no presences), ``CHUNK``
    residents at a time."""
    for first in range(0, city.residents, CHUNK):
        _populate_people(engine, city, channel, range(first, min(first + CHUNK, city.residents)))


def _populate_people(engine: Engine, city: City, channel: str, chunk: range) -> None:
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
        for i in chunk
    ]
    raw_insert(
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
    bindings = [(channel, f"u{i}", subject_of(i), NOW - timedelta(days=30)) for i in chunk]
    raw_insert(
        engine,
        "channel_bindings",
        ("channel_id", "channel_user_id", "subject", "bound_at"),
        bindings,
    )
    assessed = NOW - timedelta(days=1)
    statuses = []
    for i in chunk:
        status = Status(
            subject=subject_of(i),
            colour=Colour.GREEN,
            reasons=(),
            notices=(),
            valid_until=None,
            policy_version=policy.version,
            assessed_at=assessed,
        )
        body = seal_body(BENCH_CIPHER, body_text(status), table=CURRENT, subject=status.subject)
        statuses.append((status.subject, "green", assessed, None, policy.version, body))
    raw_insert(
        engine,
        "current_statuses",
        ("subject", "colour", "assessed_at", "valid_until", "policy_version", "body_enc"),
        statuses,
    )


PRESENCE_INDEXES = ("ix_presences_subject_at", "ix_presences_place_id_at", "ix_presences_cell_at")


def drop_indexes(engine: Engine) -> None:
    with engine.begin() as conn:
        for name in PRESENCE_INDEXES:
            conn.execute(text(f"DROP INDEX {name}"))


def create_indexes(engine: Engine) -> dict[str, float]:
    """The presences' indexes (on every day's partition on PostgreSQL, with 1 GB to sort in),
    then ANALYZE; seconds each took."""
    columns = {
        "ix_presences_subject_at": "subject, at",
        "ix_presences_place_id_at": "place_id, at",
        "ix_presences_cell_at": "cell, at",
    }
    took: dict[str, float] = {}
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
        for name, cols in columns.items():
            started = time.perf_counter()
            conn.execute(text(f"CREATE INDEX {name} ON presences ({cols})"))
            took[name] = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute(text("ANALYZE"))
        took["analyze"] = time.perf_counter() - started
    return took
