"""Bring what a case or risk area caused in line with what tracing finds now.

Tracing gives the facts that should hold (exposures and quarantine orders, each keyed by its
evidence: ``Planned``). Those not recorded yet are built and recorded (a case traced again
finds thousands it recorded already: only their keys are compared); those recorded but no
longer found (a correction, a withdrawal) are retracted by a new fact that supersedes them
(``derive``, per source). ``reassess`` then records the facts of one or several sources and
reassesses each person touched once, in the caller's transaction (``status.batch.record_many``:
what ``record_fact`` does, for many people at once), so a colour change and its notification
commit with the facts that caused it. Running it again with the same findings records nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from healthcode.kernel.clock import Clock
from healthcode.kernel.facts import Exposure, Fact, QuarantineOrder
from healthcode.status.batch import record_many
from healthcode.tracing.model.derived import DerivedFact
from healthcode.tracing.model.findings import (
    SECONDARY_CONTACT,
    Contact,
    Finding,
    Interval,
    exposure_id,
    fact_id,
)
from healthcode.tracing.model.quarantine import PlannedOrder
from healthcode.tracing.ports import TracingUnitOfWork

EXPOSURE = "exposure"
QUARANTINE_ORDER = "quarantine_order"


@dataclass(frozen=True, kw_only=True)
class Desired:
    """A fact tracing says should hold, keyed by its evidence."""

    key: str
    fact: Fact
    rule: str
    category: str
    evidence: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class Planned:
    """The facts a source should cause: their keys in order, and ``build``, which makes the
    facts of the keys it is given (``derive`` builds only those not recorded yet)."""

    keys: Sequence[str]
    build: Callable[[Sequence[str]], list[Desired]]

    @classmethod
    def of(cls, desired: Sequence[Desired]) -> Planned:
        """Facts built already (a later one of the same key replaces an earlier one)."""
        by_key = {d.key: d for d in desired}
        return cls(keys=list(by_key), build=lambda keys: [by_key[k] for k in keys])


def planned_facts(
    source_id: str, findings: Sequence[Finding], orders: Sequence[PlannedOrder], *, now: datetime
) -> Planned:
    """The exposures of ``findings`` and the ``orders``, each built only when asked for."""
    exposures = {exposure_id(source_id, f): f for f in findings}
    by_order = {o.id: o for o in orders}

    def build(keys: Sequence[str]) -> list[Desired]:
        found = [(k, exposures[k]) for k in keys if k in exposures]
        return [
            *desired_exposures(source_id, found, now=now),
            *desired_orders([by_order[k] for k in keys if k in by_order], now=now),
        ]

    return Planned(keys=[*exposures, *(k for k in by_order if k not in exposures)], build=build)


@dataclass
class Applied:
    """What ``derive`` recorded, and the facts and causes ``reassess`` still has to apply."""

    added: int = 0
    retracted: int = 0
    people: set[str] = field(default_factory=set)
    facts: list[Fact] = field(default_factory=list)
    causes: dict[str, str] = field(default_factory=dict)


Texts = dict[tuple[datetime, object], str]
"""Moments already written out, by moment and zone (equal moments in two zones read apart)."""


def _text(moment: datetime, texts: Texts) -> str:
    key = (moment, moment.tzinfo)
    text = texts.get(key)
    if text is None:
        text = texts[key] = moment.isoformat()
    return text


def _span(interval: Interval, texts: Texts) -> dict[str, str]:
    """The interval as text; ``texts`` remembers each moment's (a busy venue's contacts share
    a few thousand moments: every overlap begins and ends at one of the two intervals')."""
    return {"start": _text(interval.start, texts), "end": _text(interval.end, texts)}


def _contact(c: Contact, text: Texts) -> dict[str, Any]:
    return {
        "place_id": c.place_id,
        "place_kind": c.place_kind,
        "source": _span(c.source_interval, text),
        "contact": _span(c.contact_interval, text),
        "overlap": _span(c.overlap, text),
        "minutes": round(c.overlap.minutes, 3),
    }


def desired_exposures(
    source_id: str, findings: Iterable[tuple[str, Finding]], *, now: datetime
) -> list[Desired]:
    """One exposure fact per finding (with its key, ``exposure_id``), its evidence alongside."""
    desired: list[Desired] = []
    text: Texts = {}
    for key, f in findings:
        fact = Exposure(
            id=key,
            subject=f.subject,
            at=f.at,
            recorded_at=now,
            category=f.category,
            rule=f.rule.value,
            source_id=source_id,
            place_id=f.place_id,
            overlap_minutes=f.overlap_minutes,
            level=f.level,
        )
        evidence = {
            "at": f.at.isoformat(),
            "place_id": f.place_id,
            "overlap_minutes": f.overlap_minutes,
            "level": f.level,
            "secondary": f.category == SECONDARY_CONTACT,
            "contacts": [_contact(c, text) for c in f.contacts],
        }
        desired.append(
            Desired(key=key, fact=fact, rule=f.rule.value, category=f.category, evidence=evidence)
        )
    return desired


def desired_orders(orders: Iterable[PlannedOrder], *, now: datetime) -> list[Desired]:
    desired: list[Desired] = []
    for o in orders:
        fact = QuarantineOrder(
            id=o.id,
            subject=o.subject,
            at=o.at,
            recorded_at=now,
            order_id=o.id,
            setting=o.setting,
            planned_end=o.planned_end,
            reason=o.reason,
        )
        evidence = {
            "at": o.at.isoformat(),
            "planned_end": o.planned_end.isoformat(),
            "setting": o.setting,
            "order_id": o.id,
            "reason": o.reason,
        }
        desired.append(
            Desired(
                key=o.id,
                fact=fact,
                rule=f"quarantine-{o.setting}",
                category=QUARANTINE_ORDER,
                evidence=evidence,
            )
        )
    return desired


def _retraction(row: DerivedFact, now: datetime) -> Fact:
    ev = row.evidence
    common: dict[str, Any] = {
        "id": fact_id("retract", row.fact_id),
        "subject": row.subject,
        "at": datetime.fromisoformat(str(ev["at"])),
        "recorded_at": now,
        "supersedes": row.fact_id,
        "retracted": True,
    }
    if row.kind == QUARANTINE_ORDER:
        return QuarantineOrder(
            **common,
            order_id=str(ev["order_id"]),
            setting=str(ev["setting"]),
            planned_end=datetime.fromisoformat(str(ev["planned_end"])),
            reason=str(ev.get("reason", "")),
        )
    return Exposure(
        **common,
        category=row.category,
        rule=row.rule,
        source_id=row.source_id,
        place_id=ev.get("place_id"),
        overlap_minutes=float(ev.get("overlap_minutes", 0.0)),
        level=ev.get("level"),
    )


def _stamped(fact: Fact, new: str, now: datetime) -> Fact:
    """``fact`` under the id ``new``, recorded ``now``: as built, when it already is (nearly
    always: a busy trace records tens of thousands, and each copy costs a dataclass rebuild)."""
    if isinstance(fact, QuarantineOrder):
        if fact.id == new == fact.order_id and fact.recorded_at == now:
            return fact
        return replace(fact, id=new, order_id=new, recorded_at=now)
    if fact.id == new and fact.recorded_at == now:
        return fact
    return replace(fact, id=new, recorded_at=now)


def derive(
    uow: TracingUnitOfWork,
    clock: Clock,
    *,
    source_kind: str,
    source_id: str,
    planned: Planned,
    cause_added: str,
    cause_removed: str,
) -> Applied:
    """Record which facts the source now causes (new ones, and retractions of those that no
    longer hold); the facts themselves and the reassessment are left to ``reassess``."""
    now = clock.now()
    rows = uow.tracing.derived_heads(source_id)
    active = {r.key: r for r in rows if not r.retracted}
    generations = Counter(r.key for r in rows)
    facts: dict[str, list[Fact]] = defaultdict(list)
    removed: set[str] = set()
    new_rows: list[DerivedFact] = []
    for d in planned.build([key for key in planned.keys if key not in active]):
        key = d.key
        # a finding retracted earlier and found again gets a new fact (ids are never reused)
        new = key if generations[key] == 0 else fact_id(key, generations[key])
        fact = _stamped(d.fact, new, now)
        facts[fact.subject].append(fact)
        new_rows.append(
            DerivedFact(
                fact_id=new,
                key=key,
                kind=fact.kind.value,
                source_kind=source_kind,
                source_id=source_id,
                subject=fact.subject,
                rule=d.rule,
                category=d.category,
                evidence=dict(d.evidence),
                created_at=now,
            )
        )
    wanted = set(planned.keys)
    gone = [row.fact_id for key, row in active.items() if key not in wanted]
    retractions: dict[str, str] = {}
    for row in uow.tracing.derived_facts(gone):
        retraction = _retraction(row, now)
        facts[row.subject].append(retraction)
        removed.add(row.subject)
        retractions[row.fact_id] = retraction.id
    uow.tracing.add_derived(new_rows)
    uow.tracing.retract_derived(retractions, at=now)
    return Applied(
        added=len(new_rows),
        retracted=len(retractions),
        people=set(facts),
        facts=[f for subject in sorted(facts) for f in facts[subject]],
        causes={s: (cause_removed if s in removed else cause_added) for s in sorted(facts)},
    )


def reassess(uow: TracingUnitOfWork, clock: Clock, applied: Sequence[Applied]) -> None:
    """Record the facts of one or more ``derive`` results and reassess each person touched
    once, in the caller's transaction (a person touched by several sources has their causes)."""
    causes: dict[str, list[str]] = defaultdict(list)
    for a in applied:
        for subject, cause in a.causes.items():
            if cause not in causes[subject]:
                causes[subject].append(cause)
    record_many(
        uow,
        clock=clock,
        facts=[f for a in applied for f in a.facts],
        causes={s: "; ".join(c)[:120] for s, c in sorted(causes.items())},
    )
