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
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Final

from healthcode.kernel.clock import Clock
from healthcode.presence.ports import PresenceUnitOfWork
from healthcode.presence.settings import retention

JOB_KEEP: Final = timedelta(days=30)


@dataclass(frozen=True)
class Purged:
    """How many rows a purge deleted."""

    presences: int = 0
    checkins: int = 0
    jobs: int = 0
    lookups: int = 0


def purge_expired(uow: PresenceUnitOfWork, clock: Clock) -> Purged:
    """Delete what is past its retention, inside the caller's transaction."""
    now = clock.now()
    presences = checkins = 0
    for jurisdiction in uow.retention.jurisdictions():
        cutoff = now - retention(uow.policies.active(jurisdiction))
        presences += uow.retention.delete_presences(jurisdiction=jurisdiction, ended_before=cutoff)
        checkins += uow.retention.delete_checkins(jurisdiction=jurisdiction, before=cutoff)
    jobs = uow.jobs.delete_finished(before=now - JOB_KEEP)
    lookups = uow.retention.delete_used_lookups(expired_before=now)
    purged = Purged(presences=presences, checkins=checkins, jobs=jobs, lookups=lookups)
    uow.retention.record_purge(at=now, counts=asdict(purged))
    return purged


def purge(*, uow: PresenceUnitOfWork, clock: Clock) -> Purged:
    """Delete what is past its retention now (one transaction)."""
    with uow:
        purged = purge_expired(uow, clock)
        uow.commit()
    return purged
