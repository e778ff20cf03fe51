"""Risk areas: presence in a declared area's cells or venues during its window becomes an
exposure of category ``risk_area`` at the area's level. A bus or subway line named as a venue
covers every ride on it (trips ``<line>:<vehicle>``, any vehicle); a trip named ``line:vehicle``
covers that vehicle's rides only.

An approved area queues a scan job; while the area lasts, each scan queues the next one (every
``risk_area_rescan_minutes`` of the policy), so presences recorded later are found too. Scans
are idempotent: a presence found again records nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from healthcode.jobs.model import Job, JobKind
from healthcode.jobs.queue import enqueue
from healthcode.kernel.clock import Clock
from healthcode.tracing.derive import derive, planned_facts, reassess
from healthcode.tracing.model.findings import Finding, OverlapQuery, assumed_slack, visit_of
from healthcode.tracing.model.quarantine import orders_for_findings
from healthcode.tracing.model.risk_areas import TRIP_SEPARATOR, RiskArea, area_exposures
from healthcode.tracing.ports import TracingUnitOfWork
from healthcode.tracing.settings import TracingSettings, tracing_settings
from healthcode.tracing.trace import CELL_LOOKBACK

SCAN_RISK_AREA: Final = "scan_risk_area"


def queue_scan(uow: TracingUnitOfWork, clock: Clock, area: RiskArea, *, at: datetime) -> bool:
    """Queue a scan of the area at ``at`` (once per area and moment)."""
    return enqueue(
        uow,
        clock,
        kind=SCAN_RISK_AREA,
        payload={"risk_area": area.id},
        dedup_key=f"{SCAN_RISK_AREA}:{area.id}:{int(at.timestamp())}",
        run_after=at,
    )


@dataclass(frozen=True, kw_only=True)
class AreaScan:
    """What scanning a risk area found and recorded (or why it did nothing)."""

    risk_area: str
    people: int = 0
    exposures: int = 0
    added: int = 0
    retracted: int = 0
    skipped: str | None = None


def scan_area(uow: TracingUnitOfWork, clock: Clock, *, area_id: str) -> AreaScan:
    """Record exposures for presences in the area so far, inside the caller's transaction."""
    area = uow.risk_areas.get(area_id)
    if area is None:
        return AreaScan(risk_area=area_id, skipped="no such risk area")
    now = clock.now()
    settings = tracing_settings(uow.policies.active(area.jurisdiction))
    findings = _findings(uow, area, settings, now)
    orders = orders_for_findings(
        source_id=area.id,
        findings=findings,
        quarantine=settings.quarantine,
        issued_at=area.declared_at,
        reason=f"risk area {area.name}",
    )
    applied = derive(
        uow,
        clock,
        source_kind="risk_area",
        source_id=area.id,
        planned=planned_facts(area.id, findings, orders, now=now),
        cause_added=f"risk area {area.id} ({area.level}): presence there",
        cause_removed=f"correction: risk area {area.id}",
    )
    reassess(uow, clock, [applied])
    if area.ends_at > now:
        queue_scan(uow, clock, area, at=now + timedelta(minutes=settings.risk_area_rescan_minutes))
    return AreaScan(
        risk_area=area.id,
        people=len({f.subject for f in findings}),
        exposures=len(findings),
        added=applied.added,
        retracted=applied.retracted,
    )


def _findings(
    uow: TracingUnitOfWork, area: RiskArea, settings: TracingSettings, now: datetime
) -> list[Finding]:
    """The exposures presences recorded in the area so far amount to."""
    end = min(area.ends_at, now)
    presences = []
    if end > area.starts_at:
        query = OverlapQuery(area.starts_at, end, CELL_LOOKBACK, assumed_slack(settings))
        # a venue named alone may be a bus or subway line: every trip on it counts too
        lines = [v for v in area.venues if TRIP_SEPARATOR not in v]
        presences = [
            *uow.tracing.presences_at(area.venues, query),
            *uow.tracing.presences_on_lines(lines, query),
            *uow.tracing.presences_in_cells(area.cells, query),
        ]
    unique = {p.id: p for p in presences}
    return area_exposures(area, (visit_of(p, settings) for p in unique.values()))


def people_in_area(uow: TracingUnitOfWork, area: RiskArea, now: datetime) -> int:
    """How many people a scan of the area would find now: those with a presence there in its
    window so far (what a bulk action counts when the area is proposed)."""
    settings = tracing_settings(uow.policies.active(area.jurisdiction))
    return len({f.subject for f in _findings(uow, area, settings, now)})


def _run_scan_job(uow: TracingUnitOfWork, clock: Clock, job: Job) -> AreaScan:
    return scan_area(uow, clock, area_id=str(job.payload["risk_area"]))


SCAN_RISK_AREA_JOB: Final = JobKind(name=SCAN_RISK_AREA, run=_run_scan_job)
"""Scanning a risk area for presences there, again and again while it lasts."""


def list_risk_areas(
    *, uow: TracingUnitOfWork, clock: Clock, jurisdiction: str, active_only: bool = True
) -> list[RiskArea]:
    """The jurisdiction's risk areas (those not yet over, unless ``active_only`` is False)."""
    with uow:
        return uow.risk_areas.list(jurisdiction, active_at=clock.now() if active_only else None)
