"""Record facts for many people and reassess them all, inside the caller's transaction, with
the same outcome as ``record_fact`` / ``refresh_status`` for each person (same statuses, same
history, same ``StatusChanged`` events) but in a few statements instead of a few per person:
tracing one case touches hundreds of people and must change their codes within a second.

A person whose cached status is fresh (assessed under the active policy, not yet past its
``valid_until``) or who was never assessed (a new person: their first status is recorded with
no colour before it, as ``refresh_status`` does) is assessed here in bulk. Anyone else —
another policy version, or time-driven changes to catch up on first — is reassessed by
``refresh_each``, the bulk twin of ``refresh_status``: both record what
``assessment.planned_refresh`` plans, so the exact history rules live in one place. Only the
fact kinds the policy can read are loaded (presences, the bulk of a person's facts, are not,
unless a rule reads them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotFound
from healthcode.kernel.facts import Colour, Fact
from healthcode.kernel.status import Status
from healthcode.policy.assess import assess
from healthcode.policy.factset import FactSet
from healthcode.policy.model import Policy
from healthcode.status.assessment import TIME_CAUSE, kinds_read, planned_refresh
from healthcode.status.model import StatusChange, StatusChanged, StatusHead
from healthcode.status.ports import StatusUnitOfWork


def holds(previous: StatusHead | None, policy: Policy, now: datetime) -> bool:
    """``refresh_status`` would take this cached status as it is (nothing to catch up)."""
    return (
        previous is not None
        and previous.policy_version == policy.version
        and (previous.valid_until is None or previous.valid_until > now)
    )


def refresh_many(
    uow: StatusUnitOfWork, *, clock: Clock, causes: Mapping[str, str]
) -> Mapping[str, Status]:
    """Reassess each subject now (``causes``: subject -> cause), inside the caller's transaction;
    returns the new statuses."""
    now = clock.now()
    subjects = sorted(causes)
    batch = uow.status_batch
    jurisdictions = uow.persons.jurisdictions_of(subjects)
    missing = [s for s in subjects if s not in jurisdictions]
    if missing:
        raise NotFound("person", missing[0])
    policies = {j: uow.policies.active(j) for j in sorted(set(jurisdictions.values()))}
    previous = batch.heads(subjects)
    # never assessed (a new person): nothing to catch up on, so assessed here in bulk too
    fresh = [
        s
        for s in subjects
        if s not in previous or holds(previous[s], policies[jurisdictions[s]], now)
    ]
    stale = sorted(set(subjects) - set(fresh))
    statuses: dict[str, Status] = dict(
        refresh_each(
            uow,
            clock=clock,
            causes={s: causes[s] for s in stale},
            policies={s: policies[jurisdictions[s]] for s in stale},
        )
    )
    kinds = frozenset().union(*(kinds_read(p) for p in policies.values()))
    facts = batch.facts(fresh, kinds) if fresh else {}
    changes: list[StatusChange] = []
    for subject in fresh:
        status = assess(facts[subject], policies[jurisdictions[subject]], now, subject=subject)
        before = previous.get(subject)
        if before is None or before.colour is not status.colour:
            changes.append(
                StatusChange(
                    id=None,
                    subject=subject,
                    at=now,
                    recorded_at=now,
                    colour_from=None if before is None else before.colour,
                    colour_to=status.colour,
                    cause=causes[subject],
                    status=status,
                )
            )
        statuses[subject] = status
    stored = batch.add_changes(changes)
    batch.save_current([statuses[s] for s in fresh])
    uow.status_cache.saved([statuses[s] for s in fresh])
    for change in stored:
        uow.publish(StatusChanged.of(change))
    return statuses


def record_many(
    uow: StatusUnitOfWork, *, clock: Clock, facts: Sequence[Fact], causes: Mapping[str, str]
) -> Mapping[str, Status]:
    """Append ``facts`` and reassess their people (each with its cause), in the caller's
    transaction: ``record_fact`` for many people at once."""
    uow.status_batch.add_facts(facts)
    return refresh_many(uow, clock=clock, causes=causes)


MAX_COLOURS = 10_000
"""Subjects in one ``current_colours`` call."""


def current_colours(
    *, uow: StatusUnitOfWork, clock: Clock, subjects: Sequence[str]
) -> Mapping[str, Colour]:
    """Each person's colour now, as ``current_status`` gives it to them (their own app: no
    access log), in one transaction: a cached status that still holds is read as it is (a few
    statements for all of them), any other is reassessed and recorded by ``refresh_status``."""
    if len(subjects) > MAX_COLOURS:
        raise InvalidInput.one("subjects", f"at most {MAX_COLOURS} people in one read")
    now = clock.now()
    with uow:
        heads = uow.status_batch.heads(subjects)
        jurisdictions = uow.persons.jurisdictions_of(subjects)
        missing = [s for s in subjects if s not in jurisdictions]
        if missing:
            raise NotFound("person", missing[0])
        policies = {j: uow.policies.active(j) for j in sorted(set(jurisdictions.values()))}
        colours: dict[str, Colour] = {}
        stale: dict[str, Policy] = {}
        for subject in subjects:
            head = heads.get(subject)
            policy = policies[jurisdictions[subject]]
            if head is not None and holds(head, policy, now):
                colours[subject] = head.colour
            else:
                stale[subject] = policy
        causes = dict.fromkeys(stale, TIME_CAUSE)
        refreshed = refresh_each(uow, clock=clock, causes=causes, policies=stale)
        colours.update({s: status.colour for s, status in refreshed.items()})
        uow.commit()
    return {s: colours[s] for s in subjects}


def refresh_each(
    uow: StatusUnitOfWork,
    *,
    clock: Clock,
    causes: Mapping[str, str],
    policies: Mapping[str, Policy],
) -> Mapping[str, Status]:
    """``refresh_status`` of each subject of ``causes`` (in its order, each under its policy
    in ``policies``) in a few statements, inside the caller's transaction: the same changes,
    recorded in the same order, the same statuses cached and the same events."""
    if not causes:
        return {}
    now = clock.now()
    subjects = list(causes)
    batch = uow.status_batch
    previous = batch.currents(subjects)
    reads = {id(p): kinds_read(p) for p in policies.values()}
    facts = batch.facts(subjects, frozenset().union(*reads.values()))
    changes: list[StatusChange] = []
    statuses: dict[str, Status] = {}
    for subject in subjects:
        policy = policies[subject]
        kinds = reads[id(policy)]
        mine = FactSet.of([f for f in facts[subject] if f.kind in kinds], subject=subject)
        planned, statuses[subject] = planned_refresh(
            previous.get(subject), mine, policy, subject=subject, now=now, cause=causes[subject]
        )
        changes += planned
    for change in batch.add_changes(changes):
        uow.publish(StatusChanged.of(change))
    batch.save_current(list(statuses.values()))
    uow.status_cache.saved(list(statuses.values()))
    return statuses
