"""A risk area is a bulk action when more people than the policy's threshold were in it when it
was proposed: a second supervisor approves it, and each person sees it in their history."""

from __future__ import annotations

import pytest

from healthcode.container import Container
from healthcode.kernel.errors import NotAllowed
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal
from healthcode.oversight.model import Proposal, ProposalStatus
from healthcode.policies.versions import activate_policy
from healthcode.status.assessment import status_history
from identity_helpers import add_test_official, principal
from policy_helpers import bundled_source
from tracing_helpers import hours, officials, resident, stay, work

SHANGHAI = "310000"
CELL = "88309a4299fffff"  # People's Square, Shanghai (H3 resolution 8)


@pytest.fixture
def who(container: Container) -> dict[str, Principal]:
    source = bundled_source(SHANGHAI, version="2022.9") + "\noversight: {bulk_threshold: 1}\n"
    with container.uow() as uow:
        activate_policy(
            uow, clock=container.clock, source=source, activated_by="a", approved_by="b"
        )
        uow.commit()
    return officials(container, SHANGHAI)


def _propose(container: Container, by: Principal) -> Proposal:
    now = container.clock.now()
    return proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=by,
        action="declare_risk_area",
        payload={
            "name": "人民广场",
            "level": "high",
            "cells": [CELL],
            "starts_at": (now - hours(24)).isoformat(),
            "ends_at": (now + hours(24)).isoformat(),
        },
        reason="cluster of cases at the square",
    )


def _approve(container: Container, by: Principal, proposal_id: str) -> Proposal:
    return proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=by,
        proposal_id=proposal_id,
    )


def _in_cell(container: Container, subject: str) -> None:
    now = container.clock.now()
    stay(container, subject, CELL, now - hours(10), now - hours(9), kind="cell", cell=CELL)


def test_an_area_with_one_person_in_it_needs_one_approver(
    container: Container, who: dict[str, Principal]
) -> None:
    """At the threshold (one person) an area is not bulk: four eyes declare it."""
    _in_cell(container, resident(container, 1, jurisdiction=SHANGHAI))
    proposal = _propose(container, who["wang"])
    assert (proposal.people, proposal.bulk) == (1, False)
    assert _approve(container, who["li"], proposal.id).status is ProposalStatus.APPROVED


def test_an_area_above_the_threshold_needs_a_second_supervisor(
    container: Container, who: dict[str, Principal]
) -> None:
    """Two people in the area: pending after li, declared by zhao; both see it in history."""
    group = [resident(container, i, jurisdiction=SHANGHAI) for i in (1, 2)]
    for subject in group:
        _in_cell(container, subject)
    resident(container, 3, jurisdiction=SHANGHAI)  # elsewhere: not counted
    proposal = _propose(container, who["wang"])
    assert (proposal.people, proposal.bulk) == (2, True)
    once = _approve(container, who["li"], proposal.id)
    assert (once.status, once.result) == (ProposalStatus.PENDING, None)
    work(container)
    assert all(_colours(container, s) == ["green"] for s in group)
    with pytest.raises(NotAllowed, match="second approver"):
        _approve(container, who["li"], proposal.id)
    add_test_official(container, "qian", "official", SHANGHAI)
    with pytest.raises(NotAllowed):  # an official decides no proposal
        _approve(container, principal(container, "qian"), proposal.id)
    done = _approve(container, who["zhao"], proposal.id)
    assert done.status is ProposalStatus.APPROVED
    work(container)
    for subject in group:
        last = status_history(uow=container.uow(), clock=container.clock, subject=subject)[-1]
        assert last.colour_to.value == "red"
        assert last.cause.startswith(f"risk area {done.result['risk_area']} (high)")
        assert [r.rule_id for r in last.status.reasons] == ["risk-area-high"]


def _colours(container: Container, subject: str) -> list[str]:
    changes = status_history(uow=container.uow(), clock=container.clock, subject=subject)
    return [c.colour_to.value for c in changes]
