"""Fact builders for the policy-engine tests: one person, times written in China Standard Time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from healthcode.kernel.facts import (
    Arrival,
    Case,
    Colour,
    Exposure,
    Fact,
    HealthDeclaration,
    IdentityCheck,
    ManualOverride,
    Presence,
    QuarantineOrder,
    Release,
    Symptom,
    TestResult,
)
from healthcode.kernel.status import Status
from healthcode.policy.assess import assess
from healthcode.policy.model import Policy

CST = timezone(timedelta(hours=8))
SUBJECT = "p1"
SECOND = timedelta(seconds=1)


def t(text: str) -> datetime:
    """A China Standard Time wall-clock time ("2026-01-01 10:00[:ss]") as a UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=CST).astimezone(UTC)


def _base(fact_id: str, at: datetime) -> dict[str, Any]:
    return {"id": fact_id, "subject": SUBJECT, "at": at, "recorded_at": at}


def declaration(
    fact_id: str, at: datetime, temperature: float = 36.6, symptoms: Iterable[Symptom] = ()
) -> HealthDeclaration:
    return HealthDeclaration(
        **_base(fact_id, at),
        temperature=temperature,
        symptoms=tuple(symptoms),
    )


def fever(fact_id: str, at: datetime) -> HealthDeclaration:
    return declaration(fact_id, at, temperature=38.2, symptoms=(Symptom.FEVER,))


def lab_result(
    fact_id: str,
    at: datetime,
    result: str = "negative",
    kind: str = "pcr",
    sampled_at: datetime | None = None,
) -> TestResult:
    """A result known at ``at``; sampled 6 hours before unless given."""
    return TestResult(
        **_base(fact_id, at),
        test_kind=kind,
        result=result,
        sampled_at=sampled_at or at - timedelta(hours=6),
    )


def exposure(fact_id: str, at: datetime, category: str, level: str | None = None) -> Exposure:
    return Exposure(
        **_base(fact_id, at),
        category=category,
        rule="test",
        source_id="case-1",
        level=level,
    )


def arrival(fact_id: str, at: datetime, from_region: str, to_region: str = "110105") -> Arrival:
    return Arrival(**_base(fact_id, at), from_region=from_region, to_region=to_region)


def case(fact_id: str, at: datetime) -> Case:
    return Case(
        **_base(fact_id, at),
        case_id=f"case-{fact_id}",
        classification="confirmed",
        sampled_at=at - timedelta(hours=12),
    )


def quarantine(fact_id: str, at: datetime, setting: str, planned_end: datetime) -> QuarantineOrder:
    return QuarantineOrder(
        **_base(fact_id, at),
        order_id=f"order-{fact_id}",
        setting=setting,
        planned_end=planned_end,
    )


def identity_check(fact_id: str, at: datetime) -> IdentityCheck:
    return IdentityCheck(**_base(fact_id, at), channel="alipay")


def override(
    fact_id: str, at: datetime, colour: Colour, expires_at: datetime, reason: str = "clinic report"
) -> ManualOverride:
    return ManualOverride(
        **_base(fact_id, at),
        colour=colour,
        reason_category="symptoms_seen_by_clinic",
        reason_text=reason,
        expires_at=expires_at,
        proposed_by="official-1",
        approved_by="official-2",
    )


def release(fact_id: str, at: datetime, *rules: str) -> Release:
    return Release(**_base(fact_id, at), rules=tuple(rules), approved_by="official-2")


def presence(fact_id: str, at: datetime, until: datetime) -> Presence:
    return Presence(
        **_base(fact_id, at),
        place_id="venue-1",
        place_kind="restaurant",
        until=until,
        source="checkin",
    )


def summary(status: Status) -> tuple[str, list[str], list[str]]:
    """(colour, reason rule ids, notice ids): what a table row compares."""
    return (
        status.colour.value,
        [r.rule_id for r in status.reasons],
        [n.notice_id for n in status.notices],
    )


# (at, colour, reason rule ids, notice ids, valid_until or None); times in China Standard Time
Row = tuple[str, str, list[str], list[str], str | None]


def walk(policy: Policy, facts: Sequence[Fact], rows: Sequence[Row]) -> None:
    """Assess at each row's instant and compare colour, reasons, notices and valid_until."""
    for at, colour, reasons, notices, until in rows:
        status = assess(facts, policy, t(at))
        assert summary(status) == (colour, reasons, notices), f"at {at}"
        assert status.valid_until == (None if until is None else t(until)), f"at {at}"
