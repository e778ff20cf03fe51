"""Retiring an instance in a test: an admin proposes the sunset, another admin and an auditor
approve it (the four eyes plus an auditor of docs/sunset.md)."""

from __future__ import annotations

from healthcode.container import Container
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal
from identity_helpers import add_test_official, principal

SUNSET_REASON = "the emergency is over"


def retire(container: Container, grace_days: int, reason: str = SUNSET_REASON) -> str:
    """Retire the instance (officials ada and bo, admins, and cy, auditor); the proposal id."""
    for name, role in [("ada", "admin"), ("bo", "admin"), ("cy", "auditor")]:
        add_test_official(container, name, role)
    who: dict[str, Principal] = {n: principal(container, n) for n in ("ada", "bo", "cy")}
    kinds, clock = container.proposal_kinds, container.clock
    made = proposals.propose(
        uow=container.uow(),
        clock=clock,
        kinds=kinds,
        principal=who["ada"],
        action="sunset",
        payload={"grace_days": grace_days},
        reason=reason,
    )
    for name in ("bo", "cy"):
        proposals.approve(
            uow=container.uow(), clock=clock, kinds=kinds, principal=who[name], proposal_id=made.id
        )
    return made.id
