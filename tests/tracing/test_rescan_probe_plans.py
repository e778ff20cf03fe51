"""The probes a quiet rescan makes read an index range on SQLite, never a whole table: a
rescan asks them every few minutes for every recent case of a city."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Executable

from healthcode.db.engine import build_engine
from healthcode.tracing.repository.news import late_presence_probes, newcomers_households

SINCE = datetime(2026, 3, 1, tzinfo=UTC)
BEFORE = datetime(2026, 3, 2, tzinfo=UTC)


def _plan(template: Path, tmp_path: Path, statement: Executable) -> str:
    path = tmp_path / "plans.db"
    shutil.copy(template, path)
    engine = build_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
    finally:
        engine.dispose()
    return "\n".join(str(row[-1]) for row in rows)


@pytest.mark.parametrize("table", ["presences", "federation_visitor_presences"])
def test_a_late_presence_probe_searches_the_recorded_at_index(
    sqlite_template: Path, tmp_path: Path, table: str
) -> None:
    """Each late-presence probe searches its table's (recorded_at, at) index alone."""
    probes = late_presence_probes(since=SINCE, before=BEFORE)
    plans = [_plan(sqlite_template, tmp_path, probe) for probe in probes]
    [plan] = [p for p in plans if f" {table} " in p]
    assert f"SEARCH {table} USING COVERING INDEX ix_{table}_recorded_at" in plan


def test_a_probe_leaving_cells_out_reads_the_index_without_stays_in_cells(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """Without cells, the probe reads the partial index: a stay in a cell is not in it."""
    probe = late_presence_probes(since=SINCE, before=BEFORE, cells=False)[0]
    plan = _plan(sqlite_template, tmp_path, probe)
    assert "SEARCH presences USING INDEX ix_presences_recorded_not_cells" in plan
    assert "SCAN presences" not in plan


def test_the_newcomers_probe_searches_registration_times_not_every_resident(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """The households of newcomers are read through the registration-time index."""
    plan = _plan(sqlite_template, tmp_path, newcomers_households(SINCE))
    assert "SEARCH persons USING INDEX ix_persons_registered_at" in plan
    assert "SCAN persons" not in plan
