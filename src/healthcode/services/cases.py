"""Cases for officials: report (a four-eyes proposal), confirm (a different official approves),
correct (a new proposal), withdraw (a supervisor, with a reason), list, show, preview tracing.

A report is a ``confirm_case`` proposal (``tracing_kinds``); confirming approves it, which
records the case, reassesses the person and queues tracing in one transaction. Withdrawing a
confirmed case retracts its case fact at once and queues tracing again, which retracts every
exposure and quarantine order that followed from it: each person returns to the status they
would have had, with the correction as the cause in their history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from healthcode.domain.access import Action, Principal
from healthcode.domain.cases import CaseRecord, CaseState, parse_details
from healthcode.domain.errors import Conflict, InvalidInput, NotFound
from healthcode.domain.facts import Case
from healthcode.domain.proposals import MAX_REASON_LENGTH, Proposal, ProposalKind, ProposalStatus
from healthcode.domain.tracing import fact_id
from healthcode.services import proposals
from healthcode.services.authz import require, require_scope
from healthcode.services.ports import Clock, UnitOfWork
from healthcode.services.status import refresh_status
from healthcode.services.tracing import find_case_exposures, queue_trace

CONFIRM_CASE = ProposalKind.CONFIRM_CASE.value


@dataclass(frozen=True, kw_only=True)
class CaseView:
    """A case with its proposals (report, corrections) for officials."""

    record: CaseRecord
    proposals: list[Proposal]

    @property
    def state(self) -> CaseState:
        record = self.record
        if record.state is CaseState.REPORTED and not any(
            p.status is ProposalStatus.PENDING for p in self.proposals
        ):
            return CaseState.REJECTED
        return record.state

    @property
    def pending(self) -> Proposal | None:
        return next((p for p in self.proposals if p.status is ProposalStatus.PENDING), None)


def _reason(text: str) -> str:
    clean = " ".join(text.split())
    if not clean:
        raise InvalidInput.one("reason", "must not be empty: say why")
    if len(clean) > MAX_REASON_LENGTH:
        raise InvalidInput.one("reason", f"must be at most {MAX_REASON_LENGTH} characters")
    return clean


def report_case(
    *,
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    details: Mapping[str, Any],
    reason: str = "case reported",
) -> Proposal:
    """Report a case: a proposal that a different official confirms. The payload names the
    subject, ``sampled_at``, ``onset_at`` or ``asymptomatic``, ``test_reference`` and optionally
    ``isolated_at``; the proposal's payload carries the new ``case_id``."""
    payload = {k: v for k, v in details.items() if k != "corrects"}
    return proposals.propose(
        uow=uow,
        clock=clock,
        principal=principal,
        action=CONFIRM_CASE,
        payload=payload,
        reason=reason,
    )


def correct_case(
    *,
    uow: UnitOfWork,
    clock: Clock,
    principal: Principal,
    case_id: str,
    details: Mapping[str, Any],
    reason: str,
) -> Proposal:
    """Propose corrected details for a confirmed case (four eyes again): on approval tracing
    runs again, recording what is new and retracting what no longer holds."""
    with uow:
        record = uow.cases.get(case_id)
    if record is None:
        raise NotFound("case", case_id)
    payload = {**record.details.payload(), **details, "corrects": case_id}
    return proposals.propose(
        uow=uow,
        clock=clock,
        principal=principal,
        action=CONFIRM_CASE,
        payload=payload,
        reason=reason,
    )


def _case_proposals(uow: UnitOfWork, record: CaseRecord) -> list[Proposal]:
    found = uow.proposals.list(status=None, jurisdiction=record.jurisdiction)
    return [
        p for p in found if p.kind == CONFIRM_CASE and p.payload.get("case_id") == record.case_id
    ]


def _visible(uow: UnitOfWork, principal: Principal, case_id: str) -> CaseRecord:
    record = uow.cases.get(case_id)
    if record is None or (
        principal.jurisdiction is not None and record.jurisdiction != principal.jurisdiction
    ):
        raise NotFound("case", case_id)
    return record


def confirm_case(
    *, uow: UnitOfWork, clock: Clock, principal: Principal, case_id: str, note: str = ""
) -> Proposal:
    """Approve the case's pending report or correction (never your own)."""
    principal = require(principal, Action.READ_CASES)
    with uow:
        record = _visible(uow, principal, case_id)
        pending = CaseView(record=record, proposals=_case_proposals(uow, record)).pending
    if pending is None:
        raise Conflict("case", f"nothing to confirm: the case is {record.state.value}")
    return proposals.approve(
        uow=uow, clock=clock, principal=principal, proposal_id=pending.id, note=note
    )


def withdraw_case(
    *, uow: UnitOfWork, clock: Clock, principal: Principal, case_id: str, reason: str
) -> CaseRecord:
    """Withdraw a case (a supervisor, with a reason). A pending report is rejected; a confirmed
    case is retracted and everything that followed from it is undone by tracing again."""
    principal = require(principal, Action.WITHDRAW_CASE)
    clean = _reason(reason)
    with uow:
        record = uow.cases.get(case_id, for_update=True)
        if record is None:
            raise NotFound("case", case_id)
        require_scope(principal, record.jurisdiction, action=Action.WITHDRAW_CASE)
        if record.state is CaseState.WITHDRAWN:
            raise Conflict("case", "is already withdrawn")
        now = clock.now()
        who = principal.name or principal.id
        for pending in _case_proposals(uow, record):
            if pending.status is ProposalStatus.PENDING:
                uow.proposals.save_decision(
                    replace(
                        pending,
                        status=ProposalStatus.REJECTED,
                        decided_by=who,
                        decided_by_role=principal.role.value,
                        decided_at=now,
                        decision_note=f"case withdrawn: {clean}",
                    )
                )
        confirmed = record.state is CaseState.CONFIRMED
        record = replace(
            record,
            state=CaseState.WITHDRAWN,
            withdrawn_by=who,
            withdrawn_at=now,
            withdrawal_reason=clean,
        )
        if confirmed and record.case_fact_id is not None:
            d = record.details
            uow.facts.add(
                Case(
                    id=fact_id("retract", record.case_fact_id),
                    subject=d.subject,
                    at=record.confirmed_at or now,
                    recorded_at=now,
                    supersedes=record.case_fact_id,
                    retracted=True,
                    case_id=case_id,
                    classification=d.classification.value,
                    sampled_at=d.sampled_at,
                    onset_at=d.onset_at,
                )
            )
            refresh_status(
                uow=uow,
                clock=clock,
                subject=d.subject,
                cause=f"correction: case {case_id} withdrawn: {clean}"[:120],
            )
            queue_trace(uow, clock, record)
        uow.cases.save(record)
        uow.commit()
    return record


def list_cases(
    *, uow: UnitOfWork, principal: Principal, state: CaseState | None = None
) -> list[CaseView]:
    """Cases of the official's jurisdiction, oldest report first."""
    principal = require(principal, Action.READ_CASES)
    if principal.jurisdiction is None:
        raise InvalidInput.one("jurisdiction", "an official has a jurisdiction")
    with uow:
        records = uow.cases.list(principal.jurisdiction)
        all_proposals = [
            p
            for p in uow.proposals.list(status=None, jurisdiction=principal.jurisdiction)
            if p.kind == CONFIRM_CASE
        ]
    views = [
        CaseView(
            record=r,
            proposals=[p for p in all_proposals if p.payload.get("case_id") == r.case_id],
        )
        for r in records
    ]
    return [v for v in views if state is None or v.state is state]


def get_case(*, uow: UnitOfWork, principal: Principal, case_id: str) -> CaseView:
    principal = require(principal, Action.READ_CASES)
    with uow:
        record = _visible(uow, principal, case_id)
        return CaseView(record=record, proposals=_case_proposals(uow, record))


def preview_case(
    *, uow: UnitOfWork, clock: Clock, principal: Principal, case_id: str
) -> dict[str, Any]:
    """What tracing the case would find (as if confirmed now, for a reported case): how many
    people each rule flags. Nothing is recorded."""
    principal = require(principal, Action.PREVIEW_TRACING)
    with uow:
        record = _visible(uow, principal, case_id)
        view = CaseView(record=record, proposals=_case_proposals(uow, record))
        pending = view.pending
        if pending is not None and pending.payload.get("corrects") is not None:
            # preview the correction waiting for approval
            corrected = {**record.details.payload(), **dict(pending.payload)}
            parsed, _ = parse_details(corrected, now=clock.now())
            if parsed is not None:
                record = replace(record, details=parsed)
        trace = find_case_exposures(uow, record, now=clock.now())
    return {**trace.summary(), "state": view.state.value}
