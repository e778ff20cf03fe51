"""Quarantine orders that follow from a case or an exposure, per the policy's steps. Pure.

Steps follow one another from the last contact (a case: from its confirmation), e.g. the
"7 + 3" practice of June 2022: 7 days central, then 3 days at home. An order is issued no
earlier than ``issued_at`` (when tracing ran); a step already over by then is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    orders: list[PlannedOrder] = []
    start = counted_from
    for step in steps:
        end = start + timedelta(days=step.days)
        begins = max(start, issued_at)
        if end > begins:
            orders.append(
                PlannedOrder(
                    id=fact_id("order", source_id, subject, key, step.setting, begins, end),
                    subject=subject,
                    setting=step.setting,
                    at=begins,
                    planned_end=end,
                    reason=reason,
                )
            )
        start = end
    return orders


def _key(finding: Finding) -> list[str]:
    if finding.category == RISK_AREA and finding.level:
        return [f"{RISK_AREA}_{finding.level}", RISK_AREA]
    return [finding.category]


def orders_for_findings(
    *,
    source_id: str,
    findings: Sequence[Finding],
    quarantine: Mapping[str, Sequence[QuarantineStep]],
    issued_at: datetime,
    reason: str,
) -> list[PlannedOrder]:
    """One plan per person: the steps for their category, from their last contact."""
    last: dict[str, tuple[datetime, str]] = {}
    for f in findings:
        key = next((k for k in _key(f) if k in quarantine), None)
        if key is None:
            continue
        seen = last.get(f.subject)
        if seen is None or f.at > seen[0]:
            last[f.subject] = (f.at, key)
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
