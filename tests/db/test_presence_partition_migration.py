"""0015 turns a PostgreSQL presences table holding rows into one partitioned by day, every row
kept in its day's partition, and back again on downgrade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from healthcode.db.engine import build_engine
from healthcode.db.migrate import alembic_config, upgrade

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
ON_POSTGRESQL = pytest.mark.parametrize("empty_database_url", ["postgresql"], indirect=True)


def _fill_at_0012(engine: sa.Engine) -> list[tuple[str, datetime]]:
    """Two people and five presences over three days (one a stay past midnight)."""
    at = sa.DateTime(timezone=True)
    persons = sa.table(
        "persons",
        *(sa.column(c) for c in ("subject", "jurisdiction", "id_type", "id_lookup")),
        *(sa.column(c) for c in ("phone_lookup", "household")),
        *(sa.column(c, sa.LargeBinary()) for c in ("name_enc", "id_number_enc", "phone_enc")),
        sa.column("address_enc", sa.LargeBinary()),
        sa.column("registered_at", at),
    )
    presences = sa.table(
        "presences",
        *(sa.column(c) for c in ("id", "subject", "supersedes", "retracted", "place_id")),
        *(sa.column(c) for c in ("place_kind", "source", "cell")),
        *(sa.column(c, at) for c in ("at", "recorded_at", "until")),
    )
    starts = [T0, T0 + timedelta(hours=2), T0 + timedelta(days=1), T0 + timedelta(days=2, hours=22)]
    starts.append(T0 - timedelta(days=3))
    rows = [(f"{i:032x}", start) for i, start in enumerate(starts)]
    with engine.begin() as conn:
        conn.execute(
            sa.insert(persons),
            [
                {
                    "subject": s,
                    "jurisdiction": "330100",
                    "id_type": "resident_id",
                    "id_lookup": s,
                    "phone_lookup": s,
                    "household": s,
                    **dict.fromkeys(("name_enc", "id_number_enc", "phone_enc"), b"x"),
                    "address_enc": b"x",
                    "registered_at": T0,
                }
                for s in ("a" * 32, "b" * 32)
            ],
        )
        conn.execute(
            sa.insert(presences),
            [
                {
                    "id": pid,
                    "subject": "ab"[i % 2] * 32,
                    "supersedes": None,
                    "retracted": False,
                    "place_id": f"venue-{i}",
                    "place_kind": "restaurant",
                    "source": "scan",
                    "cell": None,
                    "at": start,
                    "recorded_at": start,
                    "until": start + timedelta(hours=3),
                }
                for i, (pid, start) in enumerate(rows)
            ],
        )
    return rows


@ON_POSTGRESQL
def test_upgrading_moves_every_presence_into_its_days_partition(empty_database_url: str) -> None:
    """Each stored presence reads back whole from the partition of its start's UTC day."""
    engine = build_engine(empty_database_url)
    try:
        upgrade(engine, "0012")
        rows = _fill_at_0012(engine)
        upgrade(engine)
        with engine.connect() as conn:
            held = conn.execute(
                sa.text("SELECT id, at, tableoid::regclass::text, until - at FROM presences")
            ).all()
            kind = conn.scalar(sa.text("SELECT relkind FROM pg_class WHERE relname = 'presences'"))
            key = conn.scalar(
                sa.text(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conname = 'pk_presences'"
                )
            )
        assert kind == "p" and key == "PRIMARY KEY (id, at)"
        assert sorted((r[0], r[1]) for r in held) == sorted(rows)
        for _pid, start, partition, length in held:
            assert partition == f"presences_p{start:%Y%m%d}"
            assert length == timedelta(hours=3)
    finally:
        engine.dispose()


@ON_POSTGRESQL
def test_downgrading_puts_the_presences_back_in_one_table(empty_database_url: str) -> None:
    """Down to 0012 the presences are one plain table again with every row and key id."""
    engine = build_engine(empty_database_url)
    try:
        upgrade(engine, "0012")
        rows = _fill_at_0012(engine)
        upgrade(engine)
        with engine.begin() as conn:
            config = alembic_config(empty_database_url)
            config.attributes["connection"] = conn
            command.downgrade(config, "0012")
        with engine.connect() as conn:
            held = conn.execute(sa.text("SELECT id, at FROM presences")).all()
            kind = conn.scalar(sa.text("SELECT relkind FROM pg_class WHERE relname = 'presences'"))
            partitions = conn.scalar(
                sa.text("SELECT count(*) FROM pg_class WHERE relname LIKE 'presences_p%'")
            )
        assert kind == "r" and partitions == 0
        assert sorted((r[0], r[1]) for r in held) == sorted(rows)
    finally:
        engine.dispose()
