"""Tracing a confirmed case again later, for the presences uploaded late: every
``late_presences.rescan_minutes`` until ``late_presences.hours`` after the confirmation.

A rescan that has nothing new to read does nothing. What a trace reads is fixed by the case
record (its version), the policy's tracing settings, the presences that begin before the
confirmation (stays in location cells only under the companion rule), and the households of
the case and of those it found; when none of them has changed since the last trace, tracing
again would find the same facts, so the rescan only moves ``traced_at`` on and queues the next
one. Every other trace reads everything again.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Final

from healthcode.jobs.queue import enqueue
from healthcode.kernel.clock import Clock
from healthcode.policy.model import Policy
from healthcode.tracing.model.cases import CaseRecord, CaseState
from healthcode.tracing.ports import TracingUnitOfWork
from healthcode.tracing.settings import TracingSettings

TRACE_CASE: Final = "trace_case"
# a presence stamped just before the last trace may have been committed just after it (the
# transaction that recorded it was still open): a rescan looks back this much further
IN_FLIGHT_MARGIN: Final = timedelta(minutes=10)


def settings_digest(policy: Policy) -> str:
    """A digest of the policy's tracing section: a new policy that traces alike keeps it."""
    section = policy.settings.get("tracing") or {}
    text = json.dumps(section, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def nothing_new(
    uow: TracingUnitOfWork, record: CaseRecord, settings: TracingSettings, *, digest: str
) -> bool:
    """Whether tracing the confirmed case again would read exactly what its last trace read.
    Stays in location cells are read only by the companion rule: without it, a phone's late
    stays are no news (the pings of a whole city, uploaded once a day)."""
    if (
        record.state is not CaseState.CONFIRMED
        or record.traced_at is None
        or record.confirmed_at is None
        or record.traced_version != record.version
        or record.traced_settings != digest
    ):
        return False
    return not uow.tracing.recorded_since(
        case_id=record.case_id,
        case_subject=record.subject,
        since=record.traced_at - IN_FLIGHT_MARGIN,
        before=record.confirmed_at,
        cells=settings.companion.enabled,
    )


def queue_rescan(
    uow: TracingUnitOfWork,
    clock: Clock,
    record: CaseRecord,
    settings: TracingSettings,
    *,
    now: datetime,
) -> None:
    """Trace the case again later, for the presences uploaded late (while the policy says)."""
    confirmed = record.confirmed_at or now
    if now >= confirmed + settings.late_horizon:
        return
    at = now + settings.late_rescan
    enqueue(
        uow,
        clock,
        kind=TRACE_CASE,
        payload={"case_id": record.case_id},
        dedup_key=f"{TRACE_CASE}:{record.case_id}:late:{int(at.timestamp())}",
        run_after=at,
    )
