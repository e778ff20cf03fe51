"""Four eyes through the services: propose, approve by someone else, executed and recorded."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest

from factories import register
from healthcode.bootstrap import PROPOSAL_KINDS
from healthcode.container import Container
from healthcode.identity.registration import register_person
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import Conflict, InvalidInput, NotAllowed
from healthcode.kernel.facts import FactKind
from healthcode.oversight import proposals
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.kinds import (
    Approval,
    Prepared,
    ProposalHandler,
    ProposalKinds,
)
from healthcode.oversight.model import ProposalStatus
from healthcode.policies.versions import activate_policy
from healthcode.policy.bundled import bundled_policy
from healthcode.status.assessment import current_status
from healthcode.status.test_results import record_test_result
from identity_helpers import add_test_official, principal
from policy_helpers import bundled_source, with_bad_tracing


@pytest.fixture
def people(container: Container) -> dict[str, Principal]:
    for username, role in [
        ("wang", "official"),
        ("li", "supervisor"),
        ("zhou", "supervisor"),
        ("audit", "auditor"),
        ("root", "admin"),
    ]:
        add_test_official(container, username, role)
    add_test_official(container, "sh-sup", "supervisor", jurisdiction="310000")
    return {
        name: principal(container, name)
        for name in ("wang", "li", "zhou", "audit", "root", "sh-sup")
    }


def _person(container: Container) -> str:
    return register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        person=register(),
    ).subject


def _override(container: Container, by: Principal, subject: str, **changes: Any) -> str:
    payload = {
        "subject": subject,
        "colour": "red",
        "reason_category": "positive_result_not_yet_reported",
        "expires_at": (container.clock.now() + timedelta(days=3)).isoformat(),
        **changes,
    }
    return proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=by,
        action="override_colour",
        payload=payload,
        reason="fever clinic reported a positive PCR by phone",
    ).id


def _colour(container: Container, subject: str) -> str:
    return current_status(uow=container.uow(), clock=container.clock, subject=subject).colour.value


def test_override_needs_a_second_approver_then_turns_the_code(
    container: Container, people: dict[str, Principal]
) -> None:
    """An override changes the colour only once a supervisor approves; the fact names both."""
    subject = _person(container)
    proposal_id = _override(container, people["wang"], subject)
    assert _colour(container, subject) == "green"
    approved = proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=people["li"],
        proposal_id=proposal_id,
    )
    assert approved.status is ProposalStatus.APPROVED and approved.decided_by == "li"
    assert _colour(container, subject) == "red"
    with container.uow() as uow:
        [fact] = uow.facts.for_subject(subject, kinds=[FactKind.MANUAL_OVERRIDE])
    data = fact.data()
    assert (data["proposed_by"], data["approved_by"]) == ("wang", "li")
    assert data["reason_category"] == "positive_result_not_yet_reported"


def test_a_single_official_cannot_override_alone(
    container: Container, people: dict[str, Principal]
) -> None:
    """An official may propose but never approve, so cannot turn a code alone."""
    subject = _person(container)
    proposal_id = _override(container, people["wang"], subject)
    with pytest.raises(NotAllowed):
        proposals.approve(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=people["wang"],
            proposal_id=proposal_id,
        )
    assert _colour(container, subject) == "green"


def test_a_supervisor_cannot_approve_their_own(
    container: Container, people: dict[str, Principal]
) -> None:
    """A supervisor's own proposal needs another supervisor."""
    subject = _person(container)
    proposal_id = _override(container, people["li"], subject)
    with pytest.raises(NotAllowed) as refused:
        proposals.approve(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=people["li"],
            proposal_id=proposal_id,
        )
    assert "own proposal" in str(refused.value)
    proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=people["zhou"],
        proposal_id=proposal_id,
    )
    assert _colour(container, subject) == "red"


@pytest.mark.parametrize("who", ["audit", "root", "sh-sup"])
def test_other_roles_and_jurisdictions_cannot_approve(
    container: Container, people: dict[str, Principal], who: str
) -> None:
    """Auditors, admins and supervisors of another city cannot approve."""
    proposal_id = _override(container, people["wang"], _person(container))
    with pytest.raises(NotAllowed):
        proposals.approve(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=people[who],
            proposal_id=proposal_id,
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason_category": "unpaid_debt"}, "payload.reason_category"),
        ({"expires_at": None}, "payload.expires_at"),
        ({"expires_at": "2026-03-30T00:00:00+00:00"}, "payload.expires_at"),
        ({"colour": "purple"}, "payload.colour"),
    ],
)
def test_override_needs_a_health_reason_and_an_expiry(
    container: Container, people: dict[str, Principal], changes: dict[str, Any], field: str
) -> None:
    """A non-health reason, no expiry, too long an expiry or a bad colour is refused."""
    with pytest.raises(InvalidInput) as refused:
        _override(container, people["wang"], _person(container), **changes)
    assert field in {p.field for p in refused.value.problems}


def test_admins_and_auditors_cannot_propose(
    container: Container, people: dict[str, Principal]
) -> None:
    """Only officials and supervisors propose."""
    subject = _person(container)
    for who in ("audit", "root"):
        with pytest.raises(NotAllowed):
            _override(container, people[who], subject)


def test_decided_proposals_stay_decided(container: Container, people: dict[str, Principal]) -> None:
    """A rejected proposal can be neither approved nor rejected again; it is kept."""
    proposal_id = _override(container, people["wang"], _person(container))
    rejected = proposals.reject(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=people["li"],
        proposal_id=proposal_id,
        note="no lab report attached",
    )
    assert rejected.status is ProposalStatus.REJECTED
    with pytest.raises(Conflict):
        proposals.approve(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=people["zhou"],
            proposal_id=proposal_id,
        )
    listed = proposals.list_proposals(
        uow=container.uow(), clock=container.clock, principal=people["audit"]
    )
    assert [(p.id, p.decision_note) for p in listed] == [(proposal_id, "no lab report attached")]


def test_release_from_quarantine_needs_four_eyes(
    container: Container, people: dict[str, Principal], clock: FixedClock
) -> None:
    """A positive test makes the code red; an approved release makes it green again."""
    subject = _person(container)
    record_test_result(
        uow=container.uow(),
        clock=container.clock,
        subject=subject,
        test_kind="pcr",
        result="positive",
        sampled_at=container.clock.now() - timedelta(hours=5),
    )
    assert _colour(container, subject) == "red"
    clock.advance(timedelta(days=2))
    proposal = proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=people["wang"],
        action="release_quarantine",
        payload={"subject": subject, "rules": ["positive-test"]},
        reason="recovered: two negative PCR tests 24 h apart",
    )
    proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=people["li"],
        proposal_id=proposal.id,
    )
    assert _colour(container, subject) == "green"


def test_policy_activation_goes_through_four_eyes(
    container: Container, people: dict[str, Principal]
) -> None:
    """A policy version becomes active only when a second official approves it."""
    source = bundled_source("330100", version="2020.7")
    proposal = proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=people["wang"],
        action="activate_policy",
        payload={"source": source},
        reason="shorter yellow after review",
    )
    assert proposal.payload["version"] == "2020.7"
    approved = proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=people["li"],
        proposal_id=proposal.id,
    )
    assert approved.result == {"jurisdiction": "330100", "version": "2020.7"}
    with container.uow() as uow:
        [activated] = uow.policies.history("330100")
    assert (activated.activated_by, activated.approved_by) == ("wang", "li")


def test_policy_with_a_bad_tracing_section_is_never_proposed_nor_activated(
    container: Container, people: dict[str, Principal]
) -> None:
    """A bad ``tracing:`` section is refused, naming the key, when proposed and when activated."""
    source = with_bad_tracing(bundled_source("330100", version="2020.8"))
    with pytest.raises(InvalidInput) as refused:
        proposals.propose(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=people["wang"],
            action="activate_policy",
            payload={"source": source},
            reason="wider venue rule",
        )
    assert [p.field for p in refused.value.problems] == ["tracing.venue.min_overlap_minutes"]
    assert (
        proposals.list_proposals(uow=container.uow(), clock=container.clock, principal=people["li"])
        == []
    )
    with pytest.raises(InvalidInput) as refused, container.uow() as uow:
        activate_policy(
            uow, clock=container.clock, source=source, activated_by="wang", approved_by="li"
        )
    assert [p.field for p in refused.value.problems] == ["tracing.venue.min_overlap_minutes"]
    with container.uow() as uow:
        assert uow.policies.history("330100") == []
        assert uow.policies.active("330100") == bundled_policy("330100")


@pytest.fixture
def dummy_kind() -> tuple[ProposalKinds, list[Mapping[str, Any]]]:
    executed: list[Mapping[str, Any]] = []

    def prepare(_uow: Any, _clock: Any, _who: Principal, payload: Mapping[str, Any]) -> Prepared:
        if "area" not in payload:
            raise InvalidInput.one("payload.area", "is required")
        return Prepared(payload={"area": payload["area"]})

    def execute(approval: Approval) -> Mapping[str, Any]:
        executed.append(approval.proposal.payload)
        return {"declared": approval.proposal.payload["area"]}

    dummy = ProposalHandler(
        kind="declare_test_area",
        propose_action=Action.PROPOSE_RISK_AREA,
        approve_action=Action.APPROVE_RISK_AREA,
        prepare=prepare,
        execute=execute,
    )
    return ProposalKinds([*PROPOSAL_KINDS, dummy]), executed


def test_new_kinds_plug_into_the_mechanism(
    container: Container,
    people: dict[str, Principal],
    dummy_kind: tuple[ProposalKinds, list[Mapping[str, Any]]],
) -> None:
    """A kind registered later gets the four-eyes rules and runs its handler once, at approval."""
    kinds, executed = dummy_kind
    proposal = proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=kinds,
        principal=people["wang"],
        action="declare_test_area",
        payload={"area": "8831aa5ab7fffff"},
        reason="cluster at a market",
    )
    assert executed == []
    with pytest.raises(NotAllowed):
        proposals.approve(
            uow=container.uow(),
            clock=container.clock,
            kinds=kinds,
            principal=people["wang"],
            proposal_id=proposal.id,
        )
    approved = proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=kinds,
        principal=people["li"],
        proposal_id=proposal.id,
    )
    assert executed == [{"area": "8831aa5ab7fffff"}]
    assert approved.result == {"declared": "8831aa5ab7fffff"}


def test_unknown_kind_is_refused(container: Container, people: dict[str, Principal]) -> None:
    """A kind nobody registered (yet) cannot be proposed."""
    with pytest.raises(InvalidInput) as refused:
        proposals.propose(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=people["wang"],
            action="no_such_kind",
            payload={},
            reason="x",
        )
    assert refused.value.problems[0].field == "action"
