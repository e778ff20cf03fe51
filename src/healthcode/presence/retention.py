"""Keeping data only as long as policy allows: presences (every scan, check-in, ride and
location stay) and check-in records are deleted once they are older than their jurisdiction's
``retention.presence_days``; finished background jobs after ``JOB_KEEP``; the record of a
signed status lookup once its time is out of the accepted window (a replay is refused by its
time from then on). How many of each kind were deleted, and when, is kept (``purges``) for the
transparency report.

What tracing derived from a presence (an exposure and its evidence) is a fact about the person
and stays; the raw record of where everyone was does not. Every worker purges once an hour
(deleting is idempotent, so several workers, or a restart, do no harm); ``healthcode retention
purge`` purges now.

On PostgreSQL presences are partitioned by UTC day (``docs/presence.md``): each hourly pass
first makes sure the partitions of today and the next ``DAYS_AHEAD`` days exist, and the purge
drops a day's partition whole once every presence in it ended before the oldest cutoff of any
jurisdiction (the longest retention); what is left past a shorter retention, or a stay begun on
a dropped-too-early day, goes row by row as on SQLite.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from healthcode.kernel.clock import Clock
from healthcode.presence.ports import PresenceUnitOfWork
from healthcode.presence.settings import retention

JOB_KEEP: Final = timedelta(days=30)
DAYS_AHEAD: Final = 7  # partitions made ahead of today (migration 0015 makes as many)


@dataclass(frozen=True)
class Purged:
    """How many rows a purge deleted."""

    presences: int = 0
    days_dropped: int = 0  # whole days of presences dropped (PostgreSQL partitions)
    checkins: int = 0
    jobs: int = 0
    lookups: int = 0
    visitors: int = 0  # visitors' presences, and the messages about them sent and received


def purge_expired(uow: PresenceUnitOfWork, clock: Clock) -> Purged:
    """Delete what is past its retention, inside the caller's transaction."""
    now = clock.now()
    presences = checkins = 0
    for jurisdiction, cutoff in _cutoffs(uow, now).items():
        presences += uow.retention.delete_presences(jurisdiction=jurisdiction, ended_before=cutoff)
        checkins += uow.retention.delete_checkins(jurisdiction=jurisdiction, before=cutoff)
    jobs = uow.jobs.delete_finished(before=now - JOB_KEEP)
    lookups = uow.retention.delete_used_lookups(expired_before=now)
    cutoffs = _cutoffs(uow, now)
    # visitors are kept no longer than the shortest retention of any city's people here
    visitors = uow.visitors.delete_before(max(cutoffs.values())) if cutoffs else 0
    purged = Purged(
        presences=presences, checkins=checkins, jobs=jobs, lookups=lookups, visitors=visitors
    )
    uow.retention.record_purge(at=now, counts=asdict(purged))
    return purged


def _cutoffs(uow: PresenceUnitOfWork, now: datetime) -> dict[str, datetime]:
    return {
        jurisdiction: now - retention(uow.policies.active(jurisdiction))
        for jurisdiction in uow.retention.jurisdictions()
    }


def drop_expired_days(uow: PresenceUnitOfWork, clock: Clock) -> tuple[int, int]:
    """Drop the presences partitions of the days wholly before the oldest cutoff of any
    jurisdiction whose presences all ended before it (every jurisdiction's cutoff is at or
    after it), inside the caller's transaction; how many days, and presences, went."""
    cutoffs = _cutoffs(uow, clock.now())
    if not cutoffs:
        return 0, 0
    cutoff = min(cutoffs.values())
    days = rows = 0
    for day in uow.retention.day_partitions():
        if datetime.combine(day + timedelta(days=1), time(), UTC) > cutoff:
            break
        dropped = uow.retention.drop_day_partition(day=day, ended_before=cutoff)
        if dropped is not None:
            days, rows = days + 1, rows + dropped
    return days, rows


def prepare_days(*, uow: PresenceUnitOfWork, clock: Clock) -> list[date]:
    """Make sure today's presences partition and the next ``DAYS_AHEAD`` days' exist (one
    transaction; nothing to do on SQLite); the days it created."""
    today = clock.now().astimezone(UTC).date()
    with uow:
        before = set(uow.retention.day_partitions())
        uow.retention.create_day_partitions(first=today, days=DAYS_AHEAD + 1)
        created = sorted(set(uow.retention.day_partitions()) - before)
        uow.commit()
    return created


def purge(*, uow: PresenceUnitOfWork, clock: Clock) -> Purged:
    """Delete what is past its retention now: whole days of presences first, in a short
    transaction of their own (dropping a partition locks the table for a moment: not held
    through the row deletes), then the rest in one transaction."""
    with uow:
        days, dropped = drop_expired_days(uow, clock)
        uow.retention.record_purge(at=clock.now(), counts={"presences": dropped})
        uow.commit()
    with uow:
        purged = purge_expired(uow, clock)
        uow.commit()
    return replace(purged, presences=purged.presences + dropped, days_dropped=days)
