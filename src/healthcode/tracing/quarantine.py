"""Quarantine orders for officials (those in force or still to come, minus released ones) and
release by four eyes; and, for a citizen, what tracing found about them, with its evidence.

Orders end by themselves at their planned end (the policy's window), by the policy's clearing
conditions, or by an approved release (``release_quarantine``); the status shows each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import FactKind, QuarantineOrder, Release, effective
from healthcode.oversight import proposals
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.authz import require, sees_person
from healthcode.oversight.kinds import ProposalKinds
from healthcode.oversight.model import Proposal, ProposalKind
from healthcode.tracing.model.derived import DerivedFact
from healthcode.tracing.ports import TracingUnitOfWork


@dataclass(frozen=True, kw_only=True)
class OrderView:
    order: QuarantineOrder
    state: str  # in_force | planned


def _quarantine_rules(uow: TracingUnitOfWork, jurisdiction: str) -> list[str]:
    policy = uow.policies.active(jurisdiction)
    return [r.id for r in policy.rules if r.fact is FactKind.QUARANTINE_ORDER]


def _released(order: QuarantineOrder, releases: Sequence[Release], rules: list[str]) -> bool:
    return any(
        r.at > order.at and (not r.rules or any(rule in r.rules for rule in rules))
        for r in releases
    )


def list_quarantines(
    *, uow: TracingUnitOfWork, clock: Clock, principal: Principal
) -> list[OrderView]:
    """Orders of the official's jurisdiction (of their district's people, for an official with
    a district) in force now or planned, not released."""
    principal = require(principal, Action.READ_QUARANTINES)
    if principal.jurisdiction is None:
        raise InvalidInput.one("jurisdiction", "an official has a jurisdiction")
    now = clock.now()
    views: list[OrderView] = []
    with uow:
        rules = _quarantine_rules(uow, principal.jurisdiction)
        orders = uow.tracing.quarantine_orders(principal.jurisdiction, at=now)
        releases: dict[str, list[Release]] = {}
        for order in orders:
            if not sees_person(uow, principal, order.subject):
                continue
            if order.subject not in releases:
                found = effective(uow.facts.for_subject(order.subject, kinds=[FactKind.RELEASE]))
                releases[order.subject] = [r for r in found if isinstance(r, Release)]
            if _released(order, releases[order.subject], rules):
                continue
            views.append(OrderView(order=order, state="in_force" if order.at <= now else "planned"))
    return views


def propose_release(
    *,
    uow: TracingUnitOfWork,
    clock: Clock,
    kinds: ProposalKinds,
    principal: Principal,
    subject: str,
    reason: str,
) -> Proposal:
    """Propose releasing a person from their quarantine orders (the policy's quarantine rules);
    a different official approves it."""
    with uow:
        jurisdiction = uow.persons.jurisdiction_of(subject)
        rules = [] if jurisdiction is None else _quarantine_rules(uow, jurisdiction)
        proposal = proposals.propose_in(
            uow,
            clock=clock,
            kinds=kinds,
            principal=principal,
            action=ProposalKind.RELEASE_QUARANTINE.value,
            payload={"subject": subject, "rules": rules},
            reason=reason,
        )
        uow.commit()
    return proposal


def _citizen_view(d: DerivedFact) -> dict[str, Any]:
    """What a person is told: rule, category, place, both intervals, overlap; never who the
    case (or the close contact in between) was."""
    evidence = dict(d.evidence)
    out: dict[str, Any] = {
        "fact": d.fact_id,
        "kind": d.kind,
        "source": d.source_kind,
        "rule": d.rule,
        "category": d.category,
        "recorded_at": d.created_at.isoformat(),
        "retracted_at": None if d.retracted_at is None else d.retracted_at.isoformat(),
        "at": evidence.get("at"),
    }
    if d.kind == "exposure":
        out.update(
            place_id=evidence.get("place_id"),
            level=evidence.get("level"),
            overlap_minutes=evidence.get("overlap_minutes"),
            secondary=evidence.get("secondary", False),
            contacts=evidence.get("contacts", []),
        )
    else:
        out.update(
            setting=evidence.get("setting"),
            planned_end=evidence.get("planned_end"),
            reason=evidence.get("reason"),
        )
    return out


def my_exposures(*, uow: TracingUnitOfWork, subject: str) -> list[dict[str, Any]]:
    """Everything tracing recorded about the person, with its evidence (retracted ones too,
    marked as such), oldest first."""
    with uow:
        return [_citizen_view(d) for d in uow.tracing.derived_for(subject)]
