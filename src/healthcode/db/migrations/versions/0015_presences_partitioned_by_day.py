"""presences partitioned by day on PostgreSQL: a range partition per UTC day of ``at`` (the
start of the presence, what tracing's time windows and retention filter on), a default
partition for anything outside them, and ``healthcode_presence_partition(day)`` to add one.

A live table is rebuilt under an exclusive lock: the old table is renamed, the partitioned one
created with a partition for every day its rows fall on (and today and the next seven days),
the rows copied (their number checked), the primary key, foreign key and indexes created, and
the old table dropped. The primary key becomes (id, at): PostgreSQL requires the partition key
in every unique constraint. SQLite keeps its one unpartitioned table.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 08:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    "id, subject, at, recorded_at, supersedes, retracted, place_id, place_kind, until, source, cell"
)
DAYS_AHEAD = 7  # as healthcode.presence.partitions.DAYS_AHEAD

# One partition per UTC day, named presences_pYYYYMMDD. Under an advisory lock so that two
# workers never race; rows the default partition holds for the day are moved into it first
# (a partition cannot be attached over rows the default partition holds).
PARTITION_FUNCTION = """
CREATE OR REPLACE FUNCTION healthcode_presence_partition(day date) RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
    name text := 'presences_p' || to_char(day, 'YYYYMMDD');
    lo timestamptz := day::timestamp AT TIME ZONE 'UTC';
    hi timestamptz := (day + 1)::timestamp AT TIME ZONE 'UTC';
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('healthcode_presence_partitions'));
    IF to_regclass(name) IS NOT NULL THEN
        RETURN false;
    END IF;
    IF EXISTS (SELECT 1 FROM presences_default WHERE at >= lo AND at < hi) THEN
        EXECUTE format('CREATE TABLE %I (LIKE presences INCLUDING DEFAULTS)', name);
        EXECUTE format(
            'WITH moved AS (DELETE FROM presences_default WHERE at >= $1 AND at < $2 '
            'RETURNING *) INSERT INTO %I SELECT * FROM moved', name) USING lo, hi;
        EXECUTE format('ALTER TABLE presences ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
            name, lo, hi);
    ELSE
        EXECUTE format('CREATE TABLE %I PARTITION OF presences FOR VALUES FROM (%L) TO (%L)',
            name, lo, hi);
    END IF;
    RETURN true;
END
$fn$
"""

CREATE_PARTITIONED = """
CREATE TABLE presences (
    place_id varchar(64) NOT NULL,
    place_kind varchar(30) NOT NULL,
    until timestamptz NOT NULL,
    source varchar(20) NOT NULL,
    cell varchar(16),
    id varchar(32) NOT NULL,
    subject varchar(32) NOT NULL,
    at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL,
    supersedes varchar(32),
    retracted boolean NOT NULL
) PARTITION BY RANGE (at)
"""

CREATE_PLAIN = CREATE_PARTITIONED.replace(" PARTITION BY RANGE (at)", "")

INDEXES = (
    "CREATE INDEX ix_presences_subject_at ON presences (subject, at)",
    "CREATE INDEX ix_presences_place_id_at ON presences (place_id, at)",
    "CREATE INDEX ix_presences_cell_at ON presences (cell, at)",
    "ALTER TABLE presences ADD CONSTRAINT fk_presences_subject_persons "
    "FOREIGN KEY (subject) REFERENCES persons (subject)",
)


def _rename_old() -> None:
    op.execute("LOCK TABLE presences IN ACCESS EXCLUSIVE MODE")
    op.execute("ALTER TABLE presences RENAME TO presences_old")
    for name in ("pk_presences", *(i.split()[2] for i in INDEXES[:3])):
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_old")
    op.execute(
        "ALTER TABLE presences_old RENAME CONSTRAINT fk_presences_subject_persons "
        "TO fk_presences_subject_persons_old"
    )


def _copy_and_drop_old() -> None:
    bind = op.get_bind()
    bind.exec_driver_sql(
        f"INSERT INTO presences ({COLUMNS}) SELECT {COLUMNS} FROM presences_old"  # noqa: S608
    )
    old = bind.exec_driver_sql("SELECT count(*) FROM presences_old").scalar_one()
    new = bind.exec_driver_sql("SELECT count(*) FROM presences").scalar_one()
    if old != new:  # never drop what was not copied
        raise RuntimeError(f"presences: {old} rows before, {new} copied; nothing changed")
    op.execute("DROP TABLE presences_old")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _rename_old()
    op.execute(CREATE_PARTITIONED)
    op.execute("CREATE TABLE presences_default PARTITION OF presences DEFAULT")
    op.execute(PARTITION_FUNCTION)
    # a partition for every day the rows fall on, and today and the days ahead, before the
    # copy: rows go straight to their day's partition
    op.get_bind().execute(
        sa.text(
            "SELECT healthcode_presence_partition(day) FROM ("
            "SELECT DISTINCT (at AT TIME ZONE 'UTC')::date AS day FROM presences_old "
            "UNION SELECT (now() AT TIME ZONE 'UTC')::date + ahead "
            "FROM generate_series(0, :ahead) AS ahead) AS days ORDER BY day"
        ),
        {"ahead": DAYS_AHEAD},
    )
    _copy_and_drop_old()
    # keys and indexes after the copy (built once per partition, not row by row)
    op.execute("ALTER TABLE presences ADD CONSTRAINT pk_presences PRIMARY KEY (id, at)")
    for statement in INDEXES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _rename_old()
    op.execute(CREATE_PLAIN)
    _copy_and_drop_old()
    op.execute("DROP FUNCTION healthcode_presence_partition(date)")
    op.execute("ALTER TABLE presences ADD CONSTRAINT pk_presences PRIMARY KEY (id)")
    for statement in INDEXES:
        op.execute(statement)
