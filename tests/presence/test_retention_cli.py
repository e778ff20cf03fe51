"""`healthcode retention purge` deletes what is past its retention and says how much."""

from __future__ import annotations

from datetime import timedelta

from cli_helpers import ok, run
from healthcode.container import Container
from healthcode.settings import Settings
from tracing_helpers import resident, stay


def test_purge_deletes_presences_past_retention_and_counts_them(
    cli_env: Settings, container: Container
) -> None:
    """`retention purge` deletes stays past retention and says how many; a rerun finds none."""
    subject = resident(container, 1)
    now = container.clock.now()
    stay(container, subject, "cafe", now, now + timedelta(hours=1))
    at = (now + timedelta(days=30)).isoformat()
    assert ok("retention", "purge", "--at", at) == {
        "presences": 1,
        "days_dropped": 0,
        "checkins": 0,
        "jobs": 0,
        "lookups": 0,
        "visitors": 0,
    }
    assert ok("retention", "purge", "--at", at)["presences"] == 0
    code, out, _ = run("retention", "purge", "--at", at)
    assert code == 0 and "deleted 0 presences (0 whole days), 0 check-ins, 0 finished jobs" in out
