"""Tracing a case: fetch who was where (from the repositories), apply the pure rules of
``tracing.model`` under the policy's parameters, and record the exposures and quarantine
orders that follow — or, for a preview, only count them.

Bounded by the case record (the window ends at isolation, secondary contacts are looked for
until the confirmation), tracing a case again finds the same facts and records nothing new;
after a correction, what is new is recorded and what no longer holds retracted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Final

from healthcode.jobs.model import Job, JobKind
from healthcode.jobs.queue import enqueue
from healthcode.kernel.budget import Deadline
from healthcode.kernel.clock import Clock
from healthcode.tracing.collector import collector_paused
from healthcode.tracing.derive import Applied, Planned, derive, planned_facts, reassess
from healthcode.tracing.model.cases import CaseRecord, CaseState
from healthcode.tracing.model.contacts import (
    close_contacts,
    companions,
    counts_by_rule,
    most_severe,
)
from healthcode.tracing.model.findings import (
    Finding,
    Interval,
    OverlapQuery,
    PlaceClass,
    assumed_slack,
    infectious_window,
    visits_of,
)
from healthcode.tracing.model.quarantine import (
    PlannedOrder,
    count_orders,
    orders_for_findings,
    plan_orders,
    steps_to_come,
)
from healthcode.tracing.model.summary import Instants, instant_contacts, shortest
from healthcode.tracing.ports import TracingUnitOfWork
from healthcode.tracing.reads import PlaceReads
from healthcode.tracing.rescan import TRACE_CASE, nothing_new, queue_rescan, settings_digest
from healthcode.tracing.secondary import find_secondary
from healthcode.tracing.settings import TracingSettings, tracing_settings
from healthcode.tracing.visitors import send_visitor_exposures, withdraw_visitor_exposures

# cases confirmed together are traced together, this many to a transaction: they share the
# reassessment of the people they touch (a person in several is assessed once)
TRACE_BATCH: Final = 10
# location stays in cells may last longer than presences at places (PLACE_LOOKBACK)
CELL_LOOKBACK: Final = timedelta(hours=48)
_PLACES: Final = (PlaceClass.VENUE, PlaceClass.TRIP)


@dataclass(frozen=True, kw_only=True)
class TraceCounts:
    """How many people and facts tracing a case finds: by rule, by category, in all."""

    case_id: str
    window: Interval
    by_rule: Mapping[str, int]
    by_category: Mapping[str, int]
    people: int
    exposures: int
    quarantine_orders: int


@dataclass(frozen=True, kw_only=True)
class TraceOutcome:
    """What tracing a case did: what it found (``counts``, None when it did nothing), what it
    recorded and retracted; or why it did nothing (``skipped``; ``unchanged``: a rescan with
    nothing new to read, ``tracing.rescan``), or that the case was withdrawn and everything
    that followed from it retracted."""

    case_id: str
    counts: TraceCounts | None = None
    added: int = 0
    retracted: int = 0
    skipped: str | None = None
    withdrawn: bool = False
    unchanged: bool = False


@dataclass(frozen=True, kw_only=True)
class CaseTrace:
    """What tracing a case finds: the window, the findings with their evidence, the orders
    (a preview, without evidence, only counts them: ``order_count``)."""

    case_id: str
    window: Interval
    cutoff: datetime
    findings: list[Finding] = field(default_factory=list)
    orders: list[PlannedOrder] = field(default_factory=list)
    order_count: int = 0

    @property
    def counts(self) -> TraceCounts:
        by_category: dict[str, set[str]] = defaultdict(set)
        for f in self.findings:
            by_category[f.category].add(f.subject)
        return TraceCounts(
            case_id=self.case_id,
            window=self.window,
            by_rule=counts_by_rule(self.findings),
            by_category={k: len(v) for k, v in sorted(by_category.items())},
            people=len({f.subject for f in self.findings}),
            exposures=len(self.findings),
            quarantine_orders=self.order_count,
        )


def _unlimited() -> None:
    """The check of no deadline: tracing a confirmed case runs to the end."""


def find_case_exposures(
    uow: TracingUnitOfWork,
    record: CaseRecord,
    *,
    now: datetime,
    deadline: Deadline | None = None,
    evidence: bool = True,
    settings: TracingSettings | None = None,
) -> CaseTrace:
    """Trace the case as it stands (a preview of a reported case traces as if confirmed now),
    under ``settings`` (by default, the jurisdiction's active policy's).

    With a ``deadline`` (a preview), it is checked after every read and every rule, and
    ``TookTooLong`` stops the work once it has passed. ``evidence=False``: see ``summary``."""
    check = _unlimited if deadline is None else deadline.check
    if settings is None:
        settings = tracing_settings(uow.policies.active(record.jurisdiction))
    details = record.details
    cutoff = record.confirmed_at or now
    window = infectious_window(
        onset_at=details.onset_at,
        sampled_at=details.sampled_at,
        isolated_at=record.isolation(now),
        settings=settings,
    )
    trace = CaseTrace(case_id=record.case_id, window=window, cutoff=cutoff)
    if window.end <= window.start:
        return trace
    companion = settings.companion
    lookback = window.end - companion.dwell_lookback if companion.enabled else window.start
    reach = OverlapQuery(
        min(window.start, lookback), window.end, CELL_LOOKBACK, assumed_slack(settings)
    )
    own = visits_of(uow.tracing.presences_of([details.subject], reach), settings)
    in_window = [v for v in own if v.interval.overlap(window) is not None]
    check()
    reads = PlaceReads(uow, settings, check)
    spans = [
        (v.place_id, clipped)
        for v in in_window
        if v.place in _PLACES and (clipped := v.interval.overlap(window)) is not None
    ]
    instants: Instants = {}
    least = shortest(settings.venue_min_overlap_minutes, strictly=False)
    if evidence or not settings.venue:
        candidates = reads.around(spans)
    else:  # a preview: places of plain check-ins summarised in SQL, not read
        candidates, instants = reads.summarised(spans, least)
    household = uow.tracing.households([details.subject]).get(details.subject, [])
    primary = close_contacts(
        case_subject=details.subject,
        window=window,
        case_visits=in_window,
        candidates=candidates,
        household=household,
        settings=settings,
        evidence=evidence,
    )
    if instants:
        primary += instant_contacts(details.subject, window, in_window, instants, least)
    check()
    found = list(primary)
    if companion.enabled:
        cells = {v.cell for v in in_window if v.cell is not None and v.source in companion.sources}
        in_cells = uow.tracing.presences_in_cells(cells, reach)
        check()
        found += companions(
            case_subject=details.subject,
            window=window,
            case_visits=own,
            candidates=visits_of(in_cells, settings),
            settings=settings,
        )
        check()
    found += find_secondary(
        uow,
        reads,
        case_subject=details.subject,
        primary=primary,
        cutoff=cutoff,
        settings=settings,
        evidence=evidence,
    )
    check()
    findings = most_severe(found)
    orders = _orders(record, findings, settings, cutoff) if evidence else []
    count = len(orders) if evidence else _order_count(findings, settings, cutoff)
    return replace(trace, findings=findings, orders=orders, order_count=count)


def _orders(
    record: CaseRecord, findings: list[Finding], settings: TracingSettings, cutoff: datetime
) -> list[PlannedOrder]:
    """The quarantine orders of the people found, and of the case if the policy says so."""
    reason = f"case {record.case_id}"
    orders = orders_for_findings(
        source_id=record.case_id,
        findings=findings,
        quarantine=settings.quarantine,
        issued_at=cutoff,
        reason=reason,
    )
    if "case" in settings.quarantine:
        orders += plan_orders(
            source_id=record.case_id,
            subject=record.details.subject,
            key="case",
            counted_from=cutoff,
            issued_at=cutoff,
            steps=settings.quarantine["case"],
            reason=f"{reason} (case)",
        )
    return orders


def _order_count(findings: list[Finding], settings: TracingSettings, cutoff: datetime) -> int:
    """How many orders ``_orders`` plans, counted (a preview's)."""
    quarantine = settings.quarantine
    count = count_orders(findings=findings, quarantine=quarantine, issued_at=cutoff)
    if "case" in quarantine:
        count += sum(1 for _ in steps_to_come(cutoff, cutoff, quarantine["case"]))
    return count


def _trace_one(
    uow: TracingUnitOfWork, clock: Clock, case_id: str
) -> tuple[TraceOutcome, Applied | None]:
    """Record what the case causes now (not yet reassessed)."""
    record = uow.cases.get(case_id, for_update=True)
    if record is None:
        return TraceOutcome(case_id=case_id, skipped="no such case"), None
    now = clock.now()
    policy = uow.policies.active(record.jurisdiction)
    digest, settings = settings_digest(policy), tracing_settings(policy)
    if nothing_new(uow, record, settings, digest=digest):
        queue_rescan(uow, clock, record, settings, now=now)
        uow.cases.save(replace(record, traced_at=now))
        return TraceOutcome(case_id=case_id, unchanged=True), None
    counts: TraceCounts | None = None
    if record.state is CaseState.CONFIRMED:
        trace = find_case_exposures(uow, record, now=now, settings=settings)
        planned = planned_facts(case_id, trace.findings, trace.orders, now=now)
        counts = trace.counts
    elif record.state is CaseState.WITHDRAWN:
        planned = Planned.of([])
    else:
        return TraceOutcome(case_id=case_id, skipped=f"case is {record.state.value}"), None
    corrected = "withdrawn" if record.state is CaseState.WITHDRAWN else "corrected"
    applied = derive(
        uow,
        clock,
        source_kind="case",
        source_id=case_id,
        planned=planned,
        cause_added=f"case {case_id} confirmed: traced",
        cause_removed=f"correction: case {case_id} {corrected}",
    )
    if record.state is CaseState.CONFIRMED:
        queue_rescan(uow, clock, record, settings, now=now)
        send_visitor_exposures(uow, clock, record, trace.window)  # visitors' go home
    else:  # withdrawn: every visitor's exposure it sent home is withdrawn there
        withdraw_visitor_exposures(uow, clock, case_id=case_id)
    uow.cases.save(
        replace(
            record,
            traced_at=now,
            trace_counts={} if counts is None else dict(counts.by_rule),
            exposures=0 if counts is None else counts.exposures,
            traced_version=record.version,
            traced_settings=digest,
        )
    )
    outcome = TraceOutcome(
        case_id=case_id,
        counts=counts,
        added=applied.added,
        retracted=applied.retracted,
        withdrawn=record.state is CaseState.WITHDRAWN,
    )
    return outcome, applied


def trace_cases(
    uow: TracingUnitOfWork, clock: Clock, *, case_ids: Sequence[str]
) -> list[TraceOutcome]:
    """Bring each case's exposures and orders in line with its record, inside the caller's
    transaction, then reassess everyone touched once; one outcome per case. A withdrawn case
    keeps none. The cyclic garbage collector is paused meanwhile (``collector``)."""
    with collector_paused():
        traced = [_trace_one(uow, clock, case_id) for case_id in case_ids]
        reassess(uow, clock, [applied for _, applied in traced if applied is not None])
    return [outcome for outcome, _ in traced]


def trace_case(uow: TracingUnitOfWork, clock: Clock, *, case_id: str) -> TraceOutcome:
    """``trace_cases`` for one case."""
    return trace_cases(uow, clock, case_ids=[case_id])[0]


def queue_trace(uow: TracingUnitOfWork, clock: Clock, record: CaseRecord) -> bool:
    """Queue tracing of the case in its current state (once per version and state)."""
    return enqueue(
        uow,
        clock,
        kind=TRACE_CASE,
        payload={"case_id": record.case_id},
        dedup_key=f"{TRACE_CASE}:{record.case_id}:{record.version}:{record.state.value}",
    )


def _run_trace_job(uow: TracingUnitOfWork, clock: Clock, job: Job) -> TraceOutcome:
    return trace_case(uow, clock, case_id=str(job.payload["case_id"]))


def _run_trace_jobs(
    uow: TracingUnitOfWork, clock: Clock, jobs: Sequence[Job]
) -> list[TraceOutcome]:
    return trace_cases(uow, clock, case_ids=[str(job.payload["case_id"]) for job in jobs])


TRACE_CASE_JOB: Final = JobKind(
    name=TRACE_CASE, run=_run_trace_job, run_batch=_run_trace_jobs, batch_size=TRACE_BATCH
)
"""Tracing a case: cases confirmed together are traced ``TRACE_BATCH`` to a transaction."""
