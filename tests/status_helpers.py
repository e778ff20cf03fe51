"""Statuses for tests: a fact that makes a person's cached status stop holding later, and a
positive PCR result entered by hand (a four-eyes proposal)."""

from __future__ import annotations

from healthcode.container import Container
from healthcode.kernel.facts import QuarantineOrder
from healthcode.kernel.ids import new_id
from healthcode.oversight.model import Proposal
from healthcode.status.assessment import record_fact
from identity_helpers import propose_as
from tracing_helpers import hours


def quarantined_for_two_hours(container: Container, subject: str) -> None:
    """A home quarantine order ending in 2 h: the status cached now stops holding then."""
    now = container.clock.now()
    order = QuarantineOrder(
        id=new_id(),
        subject=subject,
        at=now,
        recorded_at=now,
        order_id=new_id(),
        setting="home",
        planned_end=now + hours(2),
    )
    with container.uow() as uow:
        record_fact(uow, clock=container.clock, fact=order)
        uow.commit()


def propose_positive_pcr(
    container: Container, by: str, *, subject: str, sampled_at: str | None, reason: str
) -> Proposal:
    """Official ``by`` proposes a positive PCR of ``subject`` sampled at ``sampled_at``."""
    payload = {"subject": subject, "kind": "pcr", "result": "positive", "sampled_at": sampled_at}
    return propose_as(container, by, action="record_test_result", payload=payload, reason=reason)
