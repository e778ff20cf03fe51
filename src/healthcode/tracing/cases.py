"""Cases for officials: report (a four-eyes proposal), confirm (a different official approves),
correct (a new proposal), withdraw, list, show, preview tracing.

A report is a ``confirm_case`` proposal (``tracing.kinds``); confirming approves it, which
records the case, reassesses the person and queues tracing in one transaction.

Withdrawing a *confirmed* case is four eyes too — a ``withdraw_case`` proposal
(``tracing.withdrawal``) with a reason, approved by a different official (a supervisor) — because
it lifts every exposure and quarantine order that followed from the case at once. On approval
the case fact is retracted and tracing queued again, which retracts everything downstream: each
person returns to the status they would have had, with the correction as the cause in their
history. Withdrawing a still *pending report* stays a single decision by a supervisor: it
rejects a proposal that never took effect.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from healthcode.kernel.budget import TimeBudget
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput, NotFound
from healthcode.kernel.text import TextKind, clean_text
from healthcode.oversight import proposals
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.audit import record_access, record_reads
from healthcode.oversight.authz import require, require_person_scope, sees_person
from healthcode.oversight.kinds import ProposalKinds
from healthcode.oversight.model import MAX_REASON_LENGTH, Proposal, ProposalKind, ProposalStatus
from healthcode.tracing.collector import collector_paused
from healthcode.tracing.model.cases import (
    CaseCorrection,
    CaseRecord,
    CaseReport,
    CaseState,
    parse_details,
)
from healthcode.tracing.ports import TracingUnitOfWork
from healthcode.tracing.trace import TraceCounts, find_case_exposures
from healthcode.tracing.withdrawal import case_proposals, reject_pending

CONFIRM_CASE: Final = ProposalKind.CONFIRM_CASE.value
WITHDRAW_CASE: Final = ProposalKind.WITHDRAW_CASE.value
PREVIEW: Final = "tracing preview"
ADVICE: Final = (
    "the case touches too many presences to preview; confirming it traces it in the background"
)


@dataclass(frozen=True, kw_only=True)
class CaseView:
    """A case with its proposals (report, corrections, withdrawals) for officials."""

    record: CaseRecord
    proposals: list[Proposal]

    def _of(self, kind: str, status: ProposalStatus) -> Proposal | None:
        return next((p for p in self.proposals if p.kind == kind and p.status is status), None)

    @property
    def state(self) -> CaseState:
        record = self.record
        if record.state is CaseState.REPORTED and self.pending is None:
            return CaseState.REJECTED
        return record.state

    @property
    def pending(self) -> Proposal | None:
        """The report or correction waiting for confirmation."""
        return self._of(CONFIRM_CASE, ProposalStatus.PENDING)

    @property
    def pending_withdrawal(self) -> Proposal | None:
        """The proposed withdrawal of the confirmed case waiting for approval."""
        return self._of(WITHDRAW_CASE, ProposalStatus.PENDING)

    @property
    def withdrawal(self) -> Proposal | None:
        """The approved withdrawal (who proposed it, who approved it, why)."""
        return self._of(WITHDRAW_CASE, ProposalStatus.APPROVED)


def _reason(text: str) -> str:
    clean = " ".join(clean_text(text, field="reason", kind=TextKind.TEXT).split())
    if not clean:
        raise InvalidInput.one("reason", "must not be empty: say why")
    if len(clean) > MAX_REASON_LENGTH:
        raise InvalidInput.one("reason", f"must be at most {MAX_REASON_LENGTH} characters")
    return clean


def report_case(
    *,
    uow: TracingUnitOfWork,
    clock: Clock,
    kinds: ProposalKinds,
    principal: Principal,
    report: CaseReport,
    reason: str = "case reported",
) -> Proposal:
    """Report a case: a proposal that a different official confirms; the proposal's payload
    carries the new ``case_id``."""
    return proposals.propose(
        uow=uow,
        clock=clock,
        kinds=kinds,
        principal=principal,
        action=CONFIRM_CASE,
        payload=report.payload(),
        reason=reason,
    )


def correct_case(
    *,
    uow: TracingUnitOfWork,
    clock: Clock,
    kinds: ProposalKinds,
    principal: Principal,
    case_id: str,
    correction: CaseCorrection,
    reason: str,
) -> Proposal:
    """Propose corrected details for a confirmed case (four eyes again): on approval tracing
    runs again, recording what is new and retracting what no longer holds."""
    with uow:
        record = uow.cases.get(case_id)
        if record is None:
            raise NotFound("case", case_id)
        payload = {**record.details.payload(), **correction.payload(), "corrects": case_id}
        proposal = proposals.propose_in(
            uow,
            clock=clock,
            kinds=kinds,
            principal=principal,
            action=CONFIRM_CASE,
            payload=payload,
            reason=reason,
        )
        uow.commit()
    return proposal


def visible_case(uow: TracingUnitOfWork, principal: Principal, case_id: str) -> CaseRecord:
    """The case, if it is in the official's scope (their jurisdiction, a person they see);
    anything else is not found."""
    record = uow.cases.get(case_id)
    if (
        record is None
        or (principal.jurisdiction is not None and record.jurisdiction != principal.jurisdiction)
        or not sees_person(uow, principal, record.subject)
    ):
        raise NotFound("case", case_id)
    return record


def confirm_case(
    *,
    uow: TracingUnitOfWork,
    clock: Clock,
    kinds: ProposalKinds,
    principal: Principal,
    case_id: str,
    note: str = "",
) -> Proposal:
    """Approve the case's pending report or correction (never your own)."""
    principal = require(principal, Action.READ_CASES)
    with uow:
        record = visible_case(uow, principal, case_id)
        pending = CaseView(record=record, proposals=case_proposals(uow, record)).pending
        if pending is None:
            raise Conflict("case", f"nothing to confirm: the case is {record.state.value}")
        decided = proposals.approve_in(
            uow, clock=clock, kinds=kinds, principal=principal, proposal_id=pending.id, note=note
        )
        uow.commit()
    return decided


def withdraw_case(
    *,
    uow: TracingUnitOfWork,
    clock: Clock,
    kinds: ProposalKinds,
    principal: Principal,
    case_id: str,
    reason: str,
) -> Proposal:
    """Withdraw a case, with a reason.

    A *confirmed* case is not withdrawn at once: this proposes its withdrawal (a
    ``withdraw_case`` proposal, returned pending) and nothing changes until a different official
    approves it (``approve_withdrawal`` or the generic proposal approval). A still *pending
    report* is rejected here and now by a supervisor — a single decision, since the report
    never took effect — and the rejected report is returned."""
    principal = require(principal, Action.PROPOSE_WITHDRAWAL)
    clean = _reason(reason)
    with uow:
        record = visible_case(uow, principal, case_id)
        view = CaseView(record=record, proposals=case_proposals(uow, record))
        if view.state is CaseState.CONFIRMED:
            decided = proposals.propose_in(
                uow,
                clock=clock,
                kinds=kinds,
                principal=principal,
                action=WITHDRAW_CASE,
                payload={"case_id": case_id},
                reason=clean,
            )
        elif view.state is CaseState.REPORTED:
            decided = _reject_report(
                uow, clock=clock, principal=principal, case_id=case_id, reason=clean
            )
        else:
            raise Conflict("case", f"nothing to withdraw: the case is {view.state.value}")
        uow.commit()
    return decided


def _reject_report(
    uow: TracingUnitOfWork, *, clock: Clock, principal: Principal, case_id: str, reason: str
) -> Proposal:
    """Withdraw a pending report: reject it (a decision on the report, so an approver's), and
    mark the case withdrawn. Nothing had taken effect, so nothing is retracted."""
    principal = require(principal, Action.APPROVE_CASE)
    record = uow.cases.get(case_id, for_update=True)
    if record is None:
        raise NotFound("case", case_id)
    require_person_scope(
        principal,
        jurisdiction=record.jurisdiction,
        district=uow.persons.district_of(record.subject),
        action=Action.APPROVE_CASE,
    )
    report = CaseView(record=record, proposals=case_proposals(uow, record)).pending
    if record.state is not CaseState.REPORTED or report is None:
        raise Conflict("case", f"nothing to withdraw: the case is {record.state.value}")
    now = clock.now()
    record = replace(
        record,
        state=CaseState.WITHDRAWN,
        withdrawn_by=principal.name or principal.id,
        withdrawn_at=now,
        withdrawal_reason=reason,
    )
    (rejected,) = reject_pending(uow, record, kinds=frozenset({CONFIRM_CASE}), by=principal, at=now)
    uow.cases.save(record)
    _recorded(uow, clock, principal, record, "case withdrawn")
    return rejected


def approve_withdrawal(
    *,
    uow: TracingUnitOfWork,
    clock: Clock,
    kinds: ProposalKinds,
    principal: Principal,
    case_id: str,
    note: str = "",
) -> Proposal:
    """Approve the case's pending withdrawal (never your own proposal): the case fact is
    retracted and tracing queued, in the approval's transaction."""
    principal = require(principal, Action.READ_CASES)
    with uow:
        record = visible_case(uow, principal, case_id)
        pending = CaseView(record=record, proposals=case_proposals(uow, record)).pending_withdrawal
        if pending is None:
            raise Conflict("case", "no withdrawal of this case is waiting for approval")
        decided = proposals.approve_in(
            uow, clock=clock, kinds=kinds, principal=principal, proposal_id=pending.id, note=note
        )
        uow.commit()
    return decided


def list_cases(
    *, uow: TracingUnitOfWork, clock: Clock, principal: Principal, state: CaseState | None = None
) -> list[CaseView]:
    """Cases of the official's jurisdiction (of their district's people, for an official with a
    district, cut in the query), oldest report first; each person shown is recorded in the
    access log."""
    principal = require(principal, Action.READ_CASES)
    if principal.jurisdiction is None:
        raise InvalidInput.one("jurisdiction", "an official has a jurisdiction")
    with uow:
        records = uow.cases.list(principal.jurisdiction, district=principal.district)
        by_case = uow.proposals.for_cases([r.case_id for r in records])
        views = [CaseView(record=r, proposals=by_case[r.case_id]) for r in records]
        shown = [v for v in views if state is None or v.state is state]
        if record_reads(
            uow,
            clock=clock,
            principal=principal,
            subjects=[v.record.subject for v in shown],
            what="cases",
        ):
            uow.commit()
    return shown


def get_case(
    *, uow: TracingUnitOfWork, clock: Clock, principal: Principal, case_id: str
) -> CaseView:
    """One case within the official's scope (anything else is not found); the read is
    recorded in the access log."""
    principal = require(principal, Action.READ_CASES)
    with uow:
        record = visible_case(uow, principal, case_id)
        view = CaseView(record=record, proposals=case_proposals(uow, record))
        _recorded(uow, clock, principal, record, "case")
        uow.commit()
    return view


def _recorded(
    uow: TracingUnitOfWork, clock: Clock, principal: Principal, record: CaseRecord, what: str
) -> None:
    record_access(
        uow,
        clock=clock,
        principal=principal,
        subject=record.subject,
        what=what,
        purpose=principal.purpose,
    )


@dataclass(frozen=True, kw_only=True)
class CasePreview(TraceCounts):
    """What tracing a case would find now, and the state the case is in."""

    state: CaseState


def preview_case(
    *,
    uow: TracingUnitOfWork,
    clock: Clock,
    principal: Principal,
    case_id: str,
    budget: TimeBudget | None = None,
) -> CasePreview:
    """What tracing the case would find (as if confirmed now, for a reported case): how many
    people each rule flags. Nothing is recorded but the read, in the access log. With a
    ``budget`` the preview stops with ``TookTooLong`` once it is spent (the routes and commands
    give it the setting's)."""
    principal = require(principal, Action.PREVIEW_TRACING)
    with uow:
        record = visible_case(uow, principal, case_id)
        view = CaseView(record=record, proposals=case_proposals(uow, record))
        pending = view.pending
        if pending is not None and pending.payload.get("corrects") is not None:
            # preview the correction waiting for approval
            corrected = {**record.details.payload(), **dict(pending.payload)}
            parsed, _ = parse_details(corrected, now=clock.now())
            if parsed is not None:
                record = replace(record, details=parsed)
        deadline = None if budget is None else budget.start(PREVIEW, field="case_id", advice=ADVICE)
        with collector_paused():
            trace = find_case_exposures(
                uow, record, now=clock.now(), deadline=deadline, evidence=False
            )
        _recorded(uow, clock, principal, record, "case preview")
        uow.commit()
    return CasePreview(**vars(trace.counts), state=view.state)
