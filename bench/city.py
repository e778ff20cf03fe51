"""The trace benchmark's city: residents in households, each bound to a channel and green,
with 14 days of six presences a day, bulk-loaded into a migrated schema.

A day is a night at home and a day at work as location stays (H3 cells), badge-scanned work
hours at a workplace of about 10 people, two rides in the rush hours (on one of 20 vehicles of a
bus line for the riders, a telecom cell for the others) and a check-in at a shop or restaurant.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

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


def populate(engine: Engine, city: City, seed: int, channel: str) -> None:
    populate_people(engine, city, channel)
    rows: list[tuple[Any, ...]] = []
    for row in presence_rows(city, seed):
        rows.append(row)
        if len(rows) == CHUNK:
            raw_insert(engine, "presences", PRESENCE_COLUMNS, rows)
            rows = []
    raw_insert(engine, "presences", PRESENCE_COLUMNS, rows)


def populate_people(engine: Engine, city: City, channel: str) -> None:
    """The city's residents, each bound to ``channel`` and green (no presences)."""
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
    bindings = [
        (channel, f"u{i}", subject_of(i), NOW - timedelta(days=30)) for i in range(city.residents)
    ]
    raw_insert(
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
