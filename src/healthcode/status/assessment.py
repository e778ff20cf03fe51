"""The status of a person: assessed from facts under the active policy, cached until it can
change, and every change of colour recorded with its reasons, cause and policy version (and
published as a ``StatusChanged`` event: notifying the person's channels is not this module's
business)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeGuard

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import NotFound
from healthcode.kernel.facts import Fact, FactKind
from healthcode.kernel.status import Status
from healthcode.oversight.access import Action
from healthcode.oversight.audit import Reader, record_reader_reads
from healthcode.policy.assess import assess
from healthcode.policy.factset import FactSet
from healthcode.policy.model import Policy
from healthcode.status.model import StatusChange, StatusChanged
from healthcode.status.ports import StatusUnitOfWork

# A status that has not been looked at for long may have changed many times; history is walked
# change by change, and this bounds the walk (a policy whose windows are all at least a second
# long cannot produce more changes than this in any realistic gap).
MAX_CHANGES_PER_CATCH_UP = 10_000

TIME_CAUSE = "time"

# what clearing conditions read, whichever rules a policy has (``healthcode.policy.windows``)
_EVIDENCE = frozenset({FactKind.RELEASE, FactKind.TEST_RESULT, FactKind.HEALTH_DECLARATION})


def kinds_read(policy: Policy) -> frozenset[FactKind]:
    """The fact kinds an assessment under ``policy`` can depend on: only these are loaded
    (presences, most of a person's facts, are not unless a rule reads them)."""
    kinds = set(_EVIDENCE)
    kinds.update(rule.fact for rule in policy.rules)
    for notice in policy.notices:
        if notice.fact is not None:
            kinds.add(notice.fact)
        if notice.stale is not None:
            kinds.add(notice.stale.fact)
    return frozenset(kinds)


def _policy_for(uow: StatusUnitOfWork, subject: str, jurisdiction: str | None = None) -> Policy:
    # a caller that has read the person passes their jurisdiction: one query less
    jurisdiction = jurisdiction or uow.persons.jurisdiction_of(subject)
    if jurisdiction is None:
        raise NotFound("person", subject)
    return uow.policies.active(jurisdiction)


def planned_refresh(
    previous: Status | None,
    facts: FactSet,
    policy: Policy,
    *,
    subject: str,
    now: datetime,
    cause: str,
) -> tuple[list[StatusChange], Status]:
    """What reassessing a person now records after ``previous`` (their cached status, None if
    never assessed): the time-driven changes since it, each at its exact moment, then the change
    to the status now (if its colour differs) with ``cause``; and the status now. Pure: the
    rules ``refresh_status`` and its bulk twin (``status.batch``) both follow."""
    changes: list[StatusChange] = []
    if previous is not None and previous.policy_version == policy.version:
        for _ in range(MAX_CHANGES_PER_CATCH_UP):
            moment = previous.valid_until
            if moment is None or moment > now:
                break
            status = assess(facts, policy, moment, subject=subject)
            changes += _change(previous, status, at=moment, now=now, cause=TIME_CAUSE)
            previous = status
    elif previous is not None:
        cause = f"policy {policy.version}; {cause}"
    status = assess(facts, policy, now, subject=subject)
    changes += _change(previous, status, at=now, now=now, cause=cause)
    return changes, status


def _change(
    previous: Status | None, status: Status, *, at: datetime, now: datetime, cause: str
) -> list[StatusChange]:
    """The change from ``previous`` to ``status`` at ``at`` (none if the colour is the same)."""
    if previous is not None and previous.colour is status.colour:
        return []
    return [
        StatusChange(
            id=None,
            subject=status.subject,
            at=at,
            recorded_at=now,
            colour_from=None if previous is None else previous.colour,
            colour_to=status.colour,
            cause=cause,
            status=status,
        )
    ]


def refresh_status(uow: StatusUnitOfWork, *, clock: Clock, subject: str, cause: str) -> Status:
    """Reassess a person now, inside the caller's transaction, after their facts changed.

    Time-driven changes since the last assessment are recorded first, at their own moments;
    then the new status is cached and, if its colour differs, recorded with ``cause``."""
    now = clock.now()
    policy = _policy_for(uow, subject)
    # prepared once for every assessment (the catch-up's instants, then now)
    facts = FactSet.of(uow.facts.for_subject(subject, kinds=kinds_read(policy)), subject=subject)
    previous = uow.statuses.current(subject)
    changes, status = planned_refresh(
        previous, facts, policy, subject=subject, now=now, cause=cause
    )
    for change in changes:
        uow.publish(StatusChanged.of(uow.statuses.add_change(change)))
    uow.statuses.save_current(status)
    uow.status_cache.saved([status])
    return status


def _fresh(cached: Status | None, policy: Policy, now: datetime) -> TypeGuard[Status]:
    return (
        cached is not None
        and cached.policy_version == policy.version
        and cached.assessed_at <= now
        and (cached.valid_until is None or now < cached.valid_until)
    )


def status_now(
    uow: StatusUnitOfWork, *, clock: Clock, subject: str, jurisdiction: str | None = None
) -> Status:
    """The person's status now, inside the caller's transaction (cached while it holds: in the
    status cache, else in the database); ``jurisdiction`` is the person's, when the caller has
    it already."""
    now = clock.now()
    policy = _policy_for(uow, subject, jurisdiction)
    kept = uow.status_cache.get(subject)
    if _fresh(kept, policy, now):
        return kept
    cached = uow.statuses.current(subject)
    if _fresh(cached, policy, now):
        uow.status_cache.read(cached)
        return cached
    return refresh_status(uow, clock=clock, subject=subject, cause=TIME_CAUSE)


def current_status(
    *,
    uow: StatusUnitOfWork,
    clock: Clock,
    subject: str,
    reader: Reader | None = None,
) -> Status:
    """The person's status now: from the cache while it holds, else reassessed and recorded.
    Read for an official (``Action.READ_STATUS``, in scope) or the console operator
    (``reader``), the read is in the person's access log."""
    with uow:
        status = status_now(uow, clock=clock, subject=subject)
        record_reader_reads(
            uow,
            clock=clock,
            reader=reader,
            subjects=[subject],
            what="status",
            action=Action.READ_STATUS,
        )
        uow.commit()
    return status


def status_at(
    *,
    uow: StatusUnitOfWork,
    clock: Clock,
    subject: str,
    at: datetime,
    reader: Reader | None = None,
) -> Status:
    """What the status is (or was, or will be) at ``at`` given the facts known now.

    Nothing is cached or recorded, but for an official or the console operator (``reader``)
    the read (in the access log)."""
    with uow:
        policy = _policy_for(uow, subject)
        facts = list(uow.facts.for_subject(subject, kinds=kinds_read(policy)))
        if record_reader_reads(
            uow,
            clock=clock,
            reader=reader,
            subjects=[subject],
            what="status",
            action=Action.READ_STATUS,
        ):
            uow.commit()
    return assess(facts, policy, at, subject=subject)


def status_history(*, uow: StatusUnitOfWork, clock: Clock, subject: str) -> list[StatusChange]:
    """Every change of the person's colour, oldest first, up to now (brought up to date)."""
    with uow:
        refresh_status(uow, clock=clock, subject=subject, cause=TIME_CAUSE)
        changes = uow.statuses.changes(subject)
        uow.commit()
    return changes


def record_fact(uow: StatusUnitOfWork, *, clock: Clock, fact: Fact) -> Status:
    """Append a fact and reassess its person, inside the caller's transaction."""
    uow.facts.add(fact)
    return refresh_status(
        uow, clock=clock, subject=fact.subject, cause=f"{fact.kind.value} {fact.id}"
    )


def refresh_due_statuses(
    *, uow_factory: Callable[[], StatusUnitOfWork], clock: Clock, limit: int = 500
) -> int:
    """Reassess people whose cached status has stopped holding, each in its own transaction
    (the change is recorded at its exact moment and notified)."""
    now = clock.now()
    with uow_factory() as uow:
        due = uow.statuses.due(now, limit=limit)
    for subject in due:
        with uow_factory() as uow:
            refresh_status(uow, clock=clock, subject=subject, cause=TIME_CAUSE)
            uow.commit()
    return len(due)
