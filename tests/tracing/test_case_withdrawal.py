"""Withdrawing a case, on both databases: a confirmed case only by four eyes (a proposal with a
reason, a different approver with the right role, everything recorded); a pending report by one
supervisor, since it never took effect."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from healthcode.container import Container
from healthcode.kernel.errors import Conflict, InvalidInput, NotAllowed
from healthcode.kernel.facts import Colour
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal
from healthcode.oversight.model import Proposal, ProposalStatus
from healthcode.status.assessment import current_status, status_history
from healthcode.tracing import cases
from healthcode.tracing.model.cases import CaseCorrection, CaseState
from tracing_helpers import confirm, hours, officials, report, resident, stay, work


@dataclass
class Scene:
    who: dict[str, Principal]
    case: str
    diner: str
    case_id: str


@pytest.fixture
def scene(container: Container) -> Scene:
    """A case who dined with a diner 30 hours ago, reported by wang."""
    who = officials(container)
    case, diner = resident(container, 1), resident(container, 2)
    now = container.clock.now()
    stay(container, case, "louwailou", now - hours(30), now - hours(29))
    stay(container, diner, "louwailou", now - hours(30), now - hours(29))
    case_id = report(container, who["wang"], case, sampled_at=now - hours(5))
    return Scene(who=who, case=case, diner=diner, case_id=case_id)


def colour(container: Container, subject: str) -> Colour:
    return current_status(uow=container.uow(), clock=container.clock, subject=subject).colour


def _withdraw(
    container: Container, by: Principal, case_id: str, reason: str = "lab mix-up"
) -> Proposal:
    return cases.withdraw_case(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=by,
        case_id=case_id,
        reason=reason,
    )


def _confirmed(container: Container, scene: Scene) -> None:
    confirm(container, scene.who["li"], scene.case_id)
    work(container)
    assert colour(container, scene.diner) is Colour.RED


def test_a_supervisor_cannot_withdraw_a_confirmed_case_alone(
    container: Container, scene: Scene
) -> None:
    """A supervisor only proposes a withdrawal, with a reason, for another supervisor to approve."""
    _confirmed(container, scene)
    zhao = scene.who["zhao"]
    with pytest.raises(InvalidInput) as empty:
        _withdraw(container, zhao, scene.case_id, reason="   ")
    assert empty.value.problems[0].field == "reason"
    proposal = _withdraw(container, zhao, scene.case_id)
    assert (proposal.kind, proposal.status, proposal.proposed_by) == (
        "withdraw_case",
        ProposalStatus.PENDING,
        "zhao",
    )
    assert proposal.subject == scene.case and proposal.reason == "lab mix-up"
    with pytest.raises(NotAllowed, match="own proposal"):
        cases.approve_withdrawal(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=zhao,
            case_id=scene.case_id,
        )
    with pytest.raises(NotAllowed, match="own proposal"):  # nor through the generic approval
        proposals.approve(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=zhao,
            proposal_id=proposal.id,
        )
    with pytest.raises(Conflict, match="already waiting"):
        _withdraw(container, scene.who["wang"], scene.case_id)
    work(container)
    view = cases.get_case(
        uow=container.uow(), clock=container.clock, principal=zhao, case_id=scene.case_id
    )
    assert view.state is CaseState.CONFIRMED and view.pending_withdrawal == proposal
    assert colour(container, scene.case) is Colour.RED
    assert colour(container, scene.diner) is Colour.RED


def test_an_approved_withdrawal_is_recorded_and_undoes_the_case(
    container: Container, scene: Scene
) -> None:
    """An approved withdrawal retracts the case and is recorded with who, why and the result."""
    _confirmed(container, scene)
    container.clock.advance(hours(1))  # type: ignore[attr-defined]
    correction = cases.correct_case(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=scene.who["wang"],
        case_id=scene.case_id,
        correction=CaseCorrection(test_reference="HZ-PCR-0002"),
        reason="wrong test number",
    )
    proposal = _withdraw(container, scene.who["wang"], scene.case_id, "sample of someone else")
    approved = proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=scene.who["li"],
        proposal_id=proposal.id,
        note="checked with the lab",
    )
    assert (approved.status, approved.decided_by, approved.decision_note) == (
        ProposalStatus.APPROVED,
        "li",
        "checked with the lab",
    )
    assert approved.result == {"case_id": scene.case_id, "state": "withdrawn", "colour": "green"}
    assert colour(container, scene.case) is Colour.GREEN  # at once, in the approval
    view = cases.get_case(
        uow=container.uow(),
        clock=container.clock,
        principal=scene.who["wang"],
        case_id=scene.case_id,
    )
    assert view.state is CaseState.WITHDRAWN and view.pending_withdrawal is None
    r = view.record
    assert (r.withdrawn_by, r.withdrawn_at, r.withdrawal_reason) == (
        "li",
        container.clock.now(),
        "sample of someone else",
    )
    assert view.withdrawal is not None and view.withdrawal.proposed_by == "wang"
    (rejected,) = [p for p in view.proposals if p.id == correction.id]
    assert rejected.status is ProposalStatus.REJECTED
    assert rejected.decision_note == "case withdrawn: sample of someone else"
    history = status_history(uow=container.uow(), clock=container.clock, subject=scene.case)
    assert history[-1].cause == f"correction: case {scene.case_id} withdrawn"  # no typed text
    work(container)
    assert colour(container, scene.diner) is Colour.GREEN
    with pytest.raises(Conflict):
        cases.approve_withdrawal(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=scene.who["zhao"],
            case_id=scene.case_id,
        )


def test_a_withdrawal_proposal_needs_a_confirmed_case(container: Container, scene: Scene) -> None:
    """A withdrawal proposal must name a confirmed case, not a pending report."""
    with pytest.raises(Conflict, match="only a confirmed case"):
        proposals.propose(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=scene.who["wang"],
            action="withdraw_case",
            payload={"case_id": scene.case_id},
            reason="mix-up",
        )
    with pytest.raises(InvalidInput):
        proposals.propose(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=scene.who["wang"],
            action="withdraw_case",
            payload={},
            reason="mix-up",
        )


def test_a_pending_report_is_withdrawn_by_one_supervisor(
    container: Container, scene: Scene
) -> None:
    """A supervisor alone rejects a pending report for good, recording who and why."""
    with pytest.raises(NotAllowed):
        _withdraw(container, scene.who["wang"], scene.case_id)
    rejected = _withdraw(container, scene.who["li"], scene.case_id, "duplicate report")
    assert (rejected.kind, rejected.status, rejected.decided_by) == (
        "confirm_case",
        ProposalStatus.REJECTED,
        "li",
    )
    assert rejected.decision_note == "case withdrawn: duplicate report"
    view = cases.get_case(
        uow=container.uow(),
        clock=container.clock,
        principal=scene.who["wang"],
        case_id=scene.case_id,
    )
    assert view.state is CaseState.WITHDRAWN
    assert (view.record.withdrawn_by, view.record.withdrawal_reason) == ("li", "duplicate report")
    assert [p.kind for p in view.proposals] == ["confirm_case"]
    with pytest.raises(Conflict):
        confirm(container, scene.who["zhao"], scene.case_id)
    with pytest.raises(Conflict):
        _withdraw(container, scene.who["zhao"], scene.case_id)
    assert colour(container, scene.case) is Colour.GREEN
