"""Quarantine orders that follow from a case or an exposure, per the policy's steps. Pure.

Steps follow one another from the last contact (a case: from its confirmation), e.g. the
"7 + 3" practice of June 2022: 7 days central, then 3 days at home. An order is issued no
earlier than ``issued_at`` (when tracing ran); a step already over by then is skipped.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from healthcode.tracing.model.findings import RISK_AREA, Finding, fact_id
from healthcode.tracing.settings import QuarantineStep


@dataclass(frozen=True, kw_only=True)
class PlannedOrder:
    id: str
    subject: str
    setting: str
    at: datetime
    planned_end: datetime
    reason: str


def plan_orders(
    *,
    source_id: str,
    subject: str,
    key: str,
    counted_from: datetime,
    issued_at: datetime,
    steps: Sequence[QuarantineStep],
    reason: str,
) -> list[PlannedOrder]:
    return [
        PlannedOrder(
            id=fact_id("order", source_id, subject, key, step.setting, begins, end),
            subject=subject,
            setting=step.setting,
            at=begins,
            planned_end=end,
            reason=reason,
        )
        for step, begins, end in steps_to_come(counted_from, issued_at, steps)
    ]


def steps_to_come(
    counted_from: datetime, issued_at: datetime, steps: Sequence[QuarantineStep]
) -> Iterator[tuple[QuarantineStep, datetime, datetime]]:
    """The steps still to come when the order is issued, each with when it begins and ends."""
    start = counted_from
    for step in steps:
        end = start + timedelta(days=step.days)
        begins = max(start, issued_at)
        if end > begins:
            yield step, begins, end
        start = end


def _key(finding: Finding) -> list[str]:
    if finding.category == RISK_AREA and finding.level:
        return [f"{RISK_AREA}_{finding.level}", RISK_AREA]
    return [finding.category]


def _last_contacts(
    findings: Sequence[Finding], quarantine: Mapping[str, Sequence[QuarantineStep]]
) -> dict[str, tuple[datetime, str]]:
    """Per person with a plan: their last contact and the plan's key."""
    last: dict[str, tuple[datetime, str]] = {}
    plans: dict[tuple[str, str | None], str | None] = {}  # per category and level: few
    for f in findings:
        kind = (f.category, f.level)
        if kind not in plans:
            plans[kind] = next((k for k in _key(f) if k in quarantine), None)
        key = plans[kind]
        if key is None:
            continue
        seen = last.get(f.subject)
        at = f.at
        if seen is None or at > seen[0]:
            last[f.subject] = (at, key)
    return last


def orders_for_findings(
    *,
    source_id: str,
    findings: Sequence[Finding],
    quarantine: Mapping[str, Sequence[QuarantineStep]],
    issued_at: datetime,
    reason: str,
) -> list[PlannedOrder]:
    """One plan per person: the steps for their category, from their last contact."""
    last = _last_contacts(findings, quarantine)
    orders: list[PlannedOrder] = []
    for subject, (at, key) in sorted(last.items()):
        orders += plan_orders(
            source_id=source_id,
            subject=subject,
            key=key,
            counted_from=at,
            issued_at=issued_at,
            steps=quarantine[key],
            reason=f"{reason} ({key})",
        )
    return orders


def count_orders(
    *,
    findings: Sequence[Finding],
    quarantine: Mapping[str, Sequence[QuarantineStep]],
    issued_at: datetime,
) -> int:
    """How many orders ``orders_for_findings`` plans, without planning them (a preview counts
    them for tens of thousands of people): a step ending ``offset`` after the last contact
    ``at`` is to come when it lasts at all and ``at > issued_at - offset`` (``steps_to_come``),
    so each person's count is a bisection among their plan's bounds."""
    bounds: dict[str, list[datetime]] = {}
    for key, steps in quarantine.items():
        start = timedelta(0)
        ends: list[datetime] = []
        for step in steps:
            end = start + timedelta(days=step.days)
            if end > start:
                ends.append(issued_at - end)
            start = end
        bounds[key] = sorted(ends)
    return sum(
        bisect_left(bounds[key], at) for at, key in _last_contacts(findings, quarantine).values()
    )
