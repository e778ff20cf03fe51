"""Four-eyes kinds for cases and risk areas: ``confirm_case`` (a report, or a correction of a
confirmed case), ``withdraw_case`` (a confirmed case, in ``case_withdrawal``),
``declare_risk_area`` and ``end_risk_area`` (in ``area_end``). Proposing validates; approving
(by a different official) records the facts, reassesses the people concerned and queues
tracing — all in the approval's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Final

from healthcode.checkpoint.batches import MAX_VEHICLE
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput, NotFound, Problem
from healthcode.kernel.facts import Case
from healthcode.kernel.ids import new_id
from healthcode.kernel.text import TextKind, text_problem
from healthcode.kernel.times import time_problem
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.bulk import is_bulk
from healthcode.oversight.instance import require_collecting
from healthcode.oversight.kinds import Approval, Prepared, ProposalHandler
from healthcode.oversight.model import ProposalKind
from healthcode.presence.venue_kinds import TRANSIT_KINDS
from healthcode.status.assessment import refresh_status
from healthcode.tracing.area_end import END_RISK_AREA_HANDLER
from healthcode.tracing.model.cases import CaseDetails, CaseRecord, CaseState, parse_details
from healthcode.tracing.model.risk_areas import LEVELS, RiskArea, check_places, split_trip
from healthcode.tracing.ports import TracingUnitOfWork
from healthcode.tracing.risk_areas import people_in_area, queue_scan
from healthcode.tracing.trace import queue_trace
from healthcode.tracing.withdrawal import WITHDRAWAL_HANDLER

MAX_AREA_DURATION: Final = timedelta(days=28)
MAX_AREA_LOOKBACK: Final = timedelta(days=21)  # presence data is kept 21 days (DESIGN §8)


def _details(
    uow: TracingUnitOfWork, payload: Mapping[str, Any], now: datetime
) -> tuple[CaseDetails, str]:
    details, problems = parse_details(payload, now=now)
    if details is None:
        raise InvalidInput(problems)
    jurisdiction = uow.persons.jurisdiction_of(details.subject)
    if jurisdiction is None:
        raise NotFound("person", details.subject)
    return details, jurisdiction


def _prepare_case(
    uow: TracingUnitOfWork, clock: Clock, principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    require_collecting(uow)
    now = clock.now()
    details, jurisdiction = _details(uow, payload, now)
    corrects = payload.get("corrects")
    if corrects is not None:
        record = uow.cases.get(str(corrects))
        if record is None:
            raise NotFound("case", str(corrects))
        if record.state is not CaseState.CONFIRMED:
            raise Conflict(
                "payload.corrects",
                f"only a confirmed case is corrected; it is {record.state.value}",
            )
        if record.subject != details.subject:
            raise InvalidInput.one("payload.subject", "a correction cannot change the person")
        case_id = record.case_id
    else:
        case_id = new_id()
        uow.cases.add(
            CaseRecord(
                case_id=case_id,
                jurisdiction=jurisdiction,
                details=details,
                state=CaseState.REPORTED,
                version=0,
                reported_by=principal.name or principal.id,
                reported_at=now,
            )
        )
    return Prepared(
        subject=details.subject,
        case_id=case_id,
        jurisdiction=jurisdiction,
        payload={**details.payload(), "case_id": case_id, "corrects": corrects},
    )


def _execute_case(approval: Approval[TracingUnitOfWork]) -> Mapping[str, Any]:
    uow, clock, proposal = approval.uow, approval.clock, approval.proposal
    require_collecting(uow)
    now = clock.now()
    details, _ = _details(uow, proposal.payload, now)
    case_id = str(proposal.payload["case_id"])
    record = uow.cases.get(case_id, for_update=True)
    if record is None:
        raise NotFound("case", case_id)
    correcting = proposal.payload.get("corrects") is not None
    wanted = CaseState.CONFIRMED if correcting else CaseState.REPORTED
    if record.state is not wanted:
        raise Conflict("case", f"the case is {record.state.value}")
    fact = Case(
        id=new_id(),
        subject=details.subject,
        at=record.confirmed_at if correcting and record.confirmed_at else now,
        recorded_at=now,
        supersedes=record.case_fact_id if correcting else None,
        case_id=case_id,
        classification=details.classification.value,
        sampled_at=details.sampled_at,
        onset_at=details.onset_at,
    )
    record = replace(
        record,
        details=details,
        state=CaseState.CONFIRMED,
        version=record.version + 1,
        case_fact_id=fact.id,
        confirmed_by=record.confirmed_by if correcting else approval.approver.name,
        confirmed_at=record.confirmed_at if correcting else now,
    )
    uow.facts.add(fact)
    cause = f"case {case_id} {'corrected' if correcting else 'confirmed'}"
    status = refresh_status(uow, clock=clock, subject=details.subject, cause=cause)
    uow.cases.save(record)
    queue_trace(uow, clock, record)
    return {"case_id": case_id, "version": record.version, "colour": status.colour.value}


def _check_venue(
    uow: TracingUnitOfWork, jurisdiction: str | None, field: str, place: Any
) -> list[Problem]:
    """A venue of this jurisdiction; or one trip, ``<line>:<vehicle>``, of a bus or subway line
    (a line named alone covers all its vehicles)."""
    if not isinstance(place, str):
        return [Problem(field, "no such venue here")]
    venue_id, vehicle = split_trip(place)
    venue = uow.venues.venue(venue_id)
    if venue is None or (jurisdiction is not None and venue.jurisdiction != jurisdiction):
        return [Problem(field, "no such venue here")]
    if vehicle is None:
        return []
    if venue.kind not in TRANSIT_KINDS:
        return [Problem(field, f"a {venue.kind.value} has no vehicles: name the venue alone")]
    if (
        not 0 < len(vehicle) <= MAX_VEHICLE
        or not vehicle.isprintable()
        or vehicle != vehicle.strip()
    ):
        return [Problem(field, f"the vehicle must be 1 to {MAX_VEHICLE} printable characters")]
    return []


def _prepare_area(
    uow: TracingUnitOfWork, clock: Clock, principal: Principal, payload: Mapping[str, Any]
) -> Prepared:
    now = clock.now()
    problems: list[Problem] = []
    name = payload.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems.append(Problem("payload.name", "is required (at most 200 characters)"))
    elif (problem := text_problem(name, TextKind.NAME)) is not None:
        problems.append(Problem("payload.name", problem))
    level = payload.get("level")
    if level not in LEVELS:
        problems.append(Problem("payload.level", f"must be one of {', '.join(LEVELS)}"))
    cells = payload.get("cells", []) or []
    venues = payload.get("venues", []) or []
    if not isinstance(cells, list) or not isinstance(venues, list):
        raise InvalidInput.one("payload.cells", "cells and venues must be lists")
    problems += check_places(cells, venues)
    times = _area_times(payload, now, problems)
    jurisdiction = principal.jurisdiction
    for i, place in enumerate(venues):
        problems += _check_venue(uow, jurisdiction, f"payload.venues[{i}]", place)
    if problems:
        raise InvalidInput(problems)
    payload = {
        "name": str(name).strip(),
        "level": level,
        "cells": sorted(set(cells)),
        "venues": sorted(set(venues)),
        "starts_at": times["starts_at"].isoformat(),
        "ends_at": times["ends_at"].isoformat(),
    }
    if jurisdiction is None:  # refused by four eyes: no jurisdiction to count people in
        return Prepared(payload=payload)
    people = people_in_area(uow, _area(payload, jurisdiction, now, principal), now)
    return Prepared(
        jurisdiction=jurisdiction,
        payload=payload,
        people=people,
        bulk=is_bulk(people, uow.policies.active(jurisdiction)),
    )


def _area_times(
    payload: Mapping[str, Any], now: datetime, problems: list[Problem]
) -> dict[str, datetime]:
    """An area's start and end (a problem for each missing, malformed or out of bounds)."""
    times: dict[str, datetime] = {}
    for key in ("starts_at", "ends_at"):
        raw = payload.get(key)
        try:
            moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            problems.append(Problem(f"payload.{key}", "is required: ISO 8601 with a zone"))
        elif (problem := time_problem(moment)) is not None:
            problems.append(Problem(f"payload.{key}", problem))
        else:
            times[key] = moment
    if len(times) == 2:
        if times["ends_at"] <= times["starts_at"]:
            problems.append(Problem("payload.ends_at", "must be after starts_at"))
        elif times["ends_at"] - times["starts_at"] > MAX_AREA_DURATION:
            problems.append(Problem("payload.ends_at", "an area lasts at most 28 days"))
        if now - times["starts_at"] > MAX_AREA_LOOKBACK:
            problems.append(Problem("payload.starts_at", "must be within the last 21 days"))
    return times


def _area(p: Mapping[str, Any], jurisdiction: str, now: datetime, by: Principal) -> RiskArea:
    """The area a (checked) payload declares, declared ``now`` on ``by``'s approval."""
    return RiskArea(
        id=new_id(),
        jurisdiction=jurisdiction,
        name=str(p["name"]),
        level=str(p["level"]),
        cells=tuple(p["cells"]),
        venues=tuple(p["venues"]),
        starts_at=datetime.fromisoformat(str(p["starts_at"])),
        ends_at=datetime.fromisoformat(str(p["ends_at"])),
        declared_at=now,
        proposed_by=by.name or by.id,
        approved_by=by.name or by.id,
    )


def _execute_area(approval: Approval[TracingUnitOfWork]) -> Mapping[str, Any]:
    proposal, now = approval.proposal, approval.clock.now()
    area = replace(
        _area(proposal.payload, proposal.jurisdiction, now, approval.approver),
        proposed_by=proposal.proposed_by,
    )
    approval.uow.risk_areas.add(area)
    queue_scan(approval.uow, approval.clock, area, at=now)
    return {"risk_area": area.id, "level": area.level}


TRACING_HANDLERS: Final = (
    ProposalHandler[TracingUnitOfWork](
        kind=ProposalKind.CONFIRM_CASE.value,
        propose_action=Action.PROPOSE_CASE,
        approve_action=Action.APPROVE_CASE,
        prepare=_prepare_case,
        execute=_execute_case,
        description="confirm a reported case (or correct a confirmed one); tracing follows",
    ),
    WITHDRAWAL_HANDLER,
    ProposalHandler[TracingUnitOfWork](
        kind=ProposalKind.DECLARE_RISK_AREA.value,
        propose_action=Action.PROPOSE_RISK_AREA,
        approve_action=Action.APPROVE_RISK_AREA,
        prepare=_prepare_area,
        execute=_execute_area,
        description="declare H3 cells, venues or trips a risk area at a level for a time window",
    ),
    END_RISK_AREA_HANDLER,
)
