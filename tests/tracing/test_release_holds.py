"""A quarantine release under Hangzhou's policy, on both databases: it clears the close-contact
rule with the quarantine order (the person is green), but not a positive test."""

from __future__ import annotations

import pytest

from healthcode.container import Container
from healthcode.kernel.facts import Colour
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal
from healthcode.status.assessment import current_status
from healthcode.tracing.quarantine import list_quarantines, propose_release
from tracing_helpers import confirm, hours, officials, report, resident, stay, work

HANGZHOU = "330100"


@pytest.fixture
def who(container: Container) -> dict[str, Principal]:
    return officials(container, HANGZHOU)


def _rules(container: Container, subject: str) -> list[str]:
    status = current_status(uow=container.uow(), clock=container.clock, subject=subject)
    return [r.rule_id for r in status.reasons]


def _release(container: Container, who: dict[str, Principal], subject: str) -> None:
    proposal = propose_release(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who["wang"],
        subject=subject,
        reason="negative PCR, released by the district",
    )
    proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who["li"],
        proposal_id=proposal.id,
    )


def test_a_quarantine_release_clears_the_close_contact_rule_too(
    container: Container, who: dict[str, Principal]
) -> None:
    """A traced close contact in central quarantine is green once the release is approved."""
    p = {n: resident(container, i) for i, n in enumerate(["case", "cc"], 1)}
    now = container.clock.now()
    stay(container, p["case"], "cafe", now - hours(21), now - hours(20), kind="restaurant")
    stay(container, p["cc"], "cafe", now - hours(21), now - hours(20), kind="restaurant")
    case_id = report(
        container, who["wang"], p["case"], sampled_at=now - hours(2), onset_at=now - hours(2)
    )
    confirm(container, who["li"], case_id)
    work(container)
    assert set(_rules(container, p["cc"])) == {"close-contact", "quarantine-central"}
    container.clock.set(now + hours(1))  # type: ignore[attr-defined]
    _release(container, who, p["cc"])
    assert _rules(container, p["cc"]) == []
    status = current_status(uow=container.uow(), clock=container.clock, subject=p["cc"])
    assert status.colour is Colour.GREEN
    assert list_quarantines(uow=container.uow(), clock=container.clock, principal=who["wang"]) == []
    _release(container, who, p["case"])  # a case's own rule needs a release naming it
    assert _rules(container, p["case"]) == ["case"]
