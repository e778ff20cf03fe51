"""Quarantine orders for officials (those in force or still to come, minus released ones) and
release by four eyes; and, for a citizen, what tracing found about them, with its evidence.

Orders end by themselves at their planned end (the policy's window), by the policy's clearing
conditions, or by an approved release (``release_quarantine``); the status shows each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import FactKind, QuarantineOrder, Release, effective
from healthcode.oversight import proposals
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.audit import record_reads
from healthcode.oversight.authz import require
from healthcode.oversight.kinds import ProposalKinds
from healthcode.oversight.model import Proposal, ProposalKind
from healthcode.tracing.model.derived import ContactEvidence, DerivedFact, TracedFact
from healthcode.tracing.model.findings import Interval
from healthcode.tracing.place_names import with_place_names
from healthcode.tracing.ports import TracingUnitOfWork

MAX_ORDERS_SHOWN: Final = 500
"""The most orders one page of the list shows (the API's ``limit``)."""


@dataclass(frozen=True, kw_only=True)
class OrderView:
    order: QuarantineOrder
    state: str  # in_force | planned


def _quarantine_rules(uow: TracingUnitOfWork, jurisdiction: str) -> list[str]:
    policy = uow.policies.active(jurisdiction)
    return [r.id for r in policy.rules if r.fact is FactKind.QUARANTINE_ORDER]


# Evidence of infection is not lifted by a quarantine release: a case or a positive test needs
# its own release (``healthcode release propose --rule``), which names it.
_INFECTION = frozenset({FactKind.CASE, FactKind.TEST_RESULT})


def _release_rules(uow: TracingUnitOfWork, jurisdiction: str) -> list[str]:
    """What a quarantine release names: the quarantine rules and every other rule the policy
    lets a release clear (so a close contact released from quarantine is not left red under
    the close-contact rule), infection evidence (cases, test results) aside."""
    policy = uow.policies.active(jurisdiction)
    quarantine = _quarantine_rules(uow, jurisdiction)
    others = [
        rule_id
        for rule_id in policy.releasable()
        if rule_id not in quarantine and policy.rule(rule_id).fact not in _INFECTION
    ]
    return [*quarantine, *others]


def _released(order: QuarantineOrder, releases: Sequence[Release], rules: list[str]) -> bool:
    return any(
        r.at > order.at and (not r.rules or any(rule in r.rules for rule in rules))
        for r in releases
    )


def list_quarantines(
    *, uow: TracingUnitOfWork, clock: Clock, principal: Principal
) -> list[OrderView]:
    """Orders of the official's jurisdiction (of their district's people, for an official with
    a district, cut in the query) in force now or planned, not released, those ending soonest
    first: all of them (``quarantine_page`` for a page of them). Each person shown is recorded
    in the access log."""
    return quarantine_page(uow=uow, clock=clock, principal=principal, limit=None).orders


@dataclass(frozen=True, kw_only=True)
class QuarantinePage:
    """Some of the orders in force or planned, and how many there are in all."""

    orders: list[OrderView]
    total: int


def quarantine_page(
    *,
    uow: TracingUnitOfWork,
    clock: Clock,
    principal: Principal,
    limit: int | None,
    offset: int = 0,
) -> QuarantinePage:
    """``list_quarantines`` with the count of them all: a city's list runs to thousands, and
    only the people shown are read (recorded in the access log)."""
    principal = require(principal, Action.READ_QUARANTINES)
    if principal.jurisdiction is None:
        raise InvalidInput.one("jurisdiction", "an official has a jurisdiction")
    if offset < 0:
        raise InvalidInput.one("offset", "must be 0 or more")
    if limit is not None and limit < 1:
        raise InvalidInput.one("limit", "must be 1 or more")
    now = clock.now()
    views: list[OrderView] = []
    with uow:
        rules = _quarantine_rules(uow, principal.jurisdiction)
        orders = uow.tracing.quarantine_orders(
            principal.jurisdiction, at=now, district=principal.district
        )
        # every release of the people with an order, in one read (a city lists thousands)
        held = uow.status_batch.facts(sorted({o.subject for o in orders}), kinds=[FactKind.RELEASE])
        releases = {
            subject: [r for r in effective(facts) if isinstance(r, Release)]
            for subject, facts in held.items()
        }
        for order in orders:
            if _released(order, releases.get(order.subject, []), rules):
                continue
            views.append(OrderView(order=order, state="in_force" if order.at <= now else "planned"))
        views.sort(key=lambda v: (v.order.planned_end, v.order.order_id))
        shown = views[offset:] if limit is None else views[offset : offset + limit]
        subjects = [v.order.subject for v in shown]
        if record_reads(
            uow, clock=clock, principal=principal, subjects=subjects, what="quarantines"
        ):
            uow.commit()
    return QuarantinePage(orders=shown, total=len(views))


def propose_release(
    *,
    uow: TracingUnitOfWork,
    clock: Clock,
    kinds: ProposalKinds,
    principal: Principal,
    subject: str,
    reason: str,
) -> Proposal:
    """Propose releasing a person from their quarantine orders: the policy's quarantine rules
    and every other rule it lets a release clear; a different official approves it."""
    with uow:
        jurisdiction = uow.persons.jurisdiction_of(subject)
        rules = [] if jurisdiction is None else _release_rules(uow, jurisdiction)
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


def _time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _interval(span: Any) -> Interval:
    return Interval(datetime.fromisoformat(span["start"]), datetime.fromisoformat(span["end"]))


def _contact(evidence: Any) -> ContactEvidence:
    return ContactEvidence(
        place_id=None if evidence["place_id"] is None else str(evidence["place_id"]),
        place_kind=str(evidence["place_kind"]),
        source=_interval(evidence["source"]),
        contact=_interval(evidence["contact"]),
        overlap=_interval(evidence["overlap"]),
        minutes=float(evidence["minutes"]),
    )


def told(d: DerivedFact) -> TracedFact:
    """What a person is told of a derived fact, from its stored evidence."""
    evidence = dict(d.evidence)
    common = TracedFact(
        fact=d.fact_id,
        kind=d.kind,
        source=d.source_kind,
        rule=d.rule,
        category=d.category,
        at=_time(evidence.get("at")),
        recorded_at=d.created_at,
        retracted_at=d.retracted_at,
    )
    if d.kind == "exposure":
        minutes = evidence.get("overlap_minutes")
        return replace(
            common,
            place_id=evidence.get("place_id"),
            level=evidence.get("level"),
            overlap_minutes=None if minutes is None else float(minutes),
            secondary=bool(evidence.get("secondary", False)),
            contacts=tuple(_contact(c) for c in evidence.get("contacts", [])),
            city=evidence.get("city"),
            city_name=evidence.get("city_name"),
            place_name=evidence.get("place_name"),
        )
    return replace(
        common,
        setting=evidence.get("setting"),
        planned_end=_time(evidence.get("planned_end")),
        reason=evidence.get("reason"),
    )


def my_exposures(*, uow: TracingUnitOfWork, subject: str) -> list[TracedFact]:
    """Everything tracing recorded about the person, with its evidence (retracted ones too,
    marked as such), oldest first."""
    with uow:
        return exposures_in(uow, subject)


def exposures_in(uow: TracingUnitOfWork, subject: str) -> list[TracedFact]:
    """``my_exposures``, inside the caller's transaction (the venues named)."""
    return with_place_names(uow, [told(d) for d in uow.tracing.derived_for(subject)])
