"""What officials see of appeals: the queue, soonest deadline first (overdue ones flagged by
``Appeal.overdue``), one appeal, and the counts ``/metrics`` shows. Every appeal shown is a
read of its person's data, recorded in the access log; a district official sees only their
district's people."""

from __future__ import annotations

from healthcode.appeals.model import Appeal, AppealCounts
from healthcode.appeals.ports import AppealsUnitOfWork
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import NotFound
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.audit import record_access, record_reads
from healthcode.oversight.authz import require, sees_person

MAX_QUEUE = 500


def appeal_queue(
    *,
    uow: AppealsUnitOfWork,
    clock: Clock,
    principal: Principal,
    open_only: bool = True,
    limit: int = MAX_QUEUE,
) -> list[Appeal]:
    """Appeals of the official's jurisdiction (and district), soonest deadline first."""
    principal = require(principal, Action.READ_APPEALS)
    with uow:
        found = uow.appeals.queue(
            jurisdiction=principal.jurisdiction,
            district=principal.district,
            open_only=open_only,
            limit=max(1, min(limit, MAX_QUEUE)),
        )
        if record_reads(
            uow,
            clock=clock,
            principal=principal,
            subjects=[a.subject for a in found],
            what="appeals",
        ):
            uow.commit()
    return found


def in_scope(uow: AppealsUnitOfWork, principal: Principal, appeal: Appeal | None) -> bool:
    """Whether the official may see the appeal: their jurisdiction, and district if they
    have one."""
    return (
        appeal is not None
        and (principal.jurisdiction is None or appeal.jurisdiction == principal.jurisdiction)
        and sees_person(uow, principal, appeal.subject)
    )


def get_appeal(
    *, uow: AppealsUnitOfWork, clock: Clock, principal: Principal, appeal_id: str
) -> Appeal:
    """One appeal within the official's scope (anything else: not found); the read is
    recorded."""
    principal = require(principal, Action.READ_APPEALS)
    with uow:
        appeal = uow.appeals.get(appeal_id)
        if appeal is None or not in_scope(uow, principal, appeal):
            raise NotFound("appeal", appeal_id)
        record_access(
            uow,
            clock=clock,
            principal=principal,
            subject=appeal.subject,
            what="appeal",
            purpose=principal.purpose,
        )
        uow.commit()
    return appeal


def appeal_counts(*, uow: AppealsUnitOfWork, clock: Clock) -> AppealCounts:
    """How many appeals are open and how many of them overdue (counts only, for metrics)."""
    with uow:
        return uow.appeals.counts(clock.now())
