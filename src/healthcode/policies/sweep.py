"""Reassessing a jurisdiction under a policy newly in force: an activation publishes
``PolicyActivated``; its handler queues a job, and each job reassesses a batch of the
jurisdiction's people (in subject order) in one transaction and queues the next batch. A change
of colour is recorded with the new version in its cause (``policy 2026.5; time``) and, like any
change, tells the person's channels. A person read before their batch is reassessed at that
read already, and is left as it is here; a sweep whose version is no longer in force stops
(the newer version's own sweep does the work)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from healthcode.jobs.model import Job, JobKind
from healthcode.kernel.clock import Clock
from healthcode.kernel.ids import new_id
from healthcode.policies.model import PolicyActivated
from healthcode.policies.ports import SweepUnitOfWork
from healthcode.status.assessment import TIME_CAUSE
from healthcode.status.batch import holds, refresh_each

REASSESS_JURISDICTION: Final = "reassess_jurisdiction"
SWEEP_BATCH: Final = 1000
"""People reassessed in one job (one transaction)."""


def sweep_job(jurisdiction: str, version: str, *, after: str, now: datetime) -> Job:
    """The job reassessing the people of ``jurisdiction`` after subject ``after``."""
    return Job(
        id=new_id(),
        kind=REASSESS_JURISDICTION,
        payload={"jurisdiction": jurisdiction, "version": version, "after": after},
        dedup_key=f"{REASSESS_JURISDICTION}:{jurisdiction}:{version}:{after}",
        run_after=now,
        created_at=now,
    )


def queue_reassessment(uow: SweepUnitOfWork, events: Sequence[PolicyActivated]) -> None:
    """Queue the first batch of each activation's sweep, in the activation's transaction."""
    uow.jobs.enqueue_many(
        [sweep_job(e.jurisdiction, e.version, after="", now=e.at) for e in events]
    )


@dataclass(frozen=True)
class SweepBatch:
    """What one batch did: people read, reassessed (their status did not hold), changed."""

    jurisdiction: str
    version: str
    people: int
    reassessed: int
    changed: int
    superseded: bool = False


def reassess_batch(
    uow: SweepUnitOfWork, clock: Clock, *, jurisdiction: str, version: str, after: str
) -> SweepBatch:
    """Reassess the next ``SWEEP_BATCH`` people of the jurisdiction above ``after`` whose
    cached status does not hold under the policy in force, inside the caller's transaction;
    queue the batch after it while there may be more."""
    policy = uow.policies.active(jurisdiction)
    if policy.version != version:
        return SweepBatch(jurisdiction, version, 0, 0, 0, superseded=True)
    now = clock.now()
    batch = next(
        uow.persons.iter_subjects(jurisdiction=jurisdiction, batch_size=SWEEP_BATCH, after=after),
        [],
    )
    heads = uow.status_batch.heads(batch)
    stale = [s for s in batch if not holds(heads.get(s), policy, now)]
    before = {s: heads[s].colour for s in stale if s in heads}
    statuses = refresh_each(
        uow,
        clock=clock,
        causes=dict.fromkeys(stale, TIME_CAUSE),
        policies=dict.fromkeys(stale, policy),
    )
    changed = sum(1 for s, st in statuses.items() if s in before and before[s] is not st.colour)
    if len(batch) == SWEEP_BATCH:
        uow.jobs.enqueue(sweep_job(jurisdiction, version, after=batch[-1], now=now))
    return SweepBatch(jurisdiction, version, len(batch), len(stale), changed)


def _run(uow: SweepUnitOfWork, clock: Clock, job: Job) -> SweepBatch:
    payload = job.payload
    return reassess_batch(
        uow,
        clock,
        jurisdiction=str(payload["jurisdiction"]),
        version=str(payload["version"]),
        after=str(payload["after"]),
    )


REASSESS_JURISDICTION_JOB: Final = JobKind(name=REASSESS_JURISDICTION, run=_run)
"""Reassessing a jurisdiction's people under the policy activated there, a batch a job."""
