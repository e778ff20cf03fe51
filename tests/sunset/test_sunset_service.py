"""The sunset (issue 15 item 9): an admin proposes, another admin and an auditor approve; the
instance then refuses new data until two admins activate it again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from factories import register, resident_id
from healthcode.container import Container
from healthcode.identity.registration import register_person
from healthcode.kernel.errors import Conflict, InvalidInput, NotAllowed
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal
from healthcode.oversight.instance import SystemRetired
from healthcode.oversight.model import Proposal, ProposalStatus
from healthcode.status.declarations import declare_health
from identity_helpers import add_test_official, principal

REASON = "the emergency is over: the health commission lifted it"


@pytest.fixture
def people(container: Container) -> dict[str, Principal]:
    for name, role in [("ada", "admin"), ("bo", "admin"), ("cy", "auditor"), ("di", "supervisor")]:
        add_test_official(container, name, role)
    return {name: principal(container, name) for name in ("ada", "bo", "cy", "di")}


def _propose(container: Container, by: Principal, action: str, **payload: object) -> Proposal:
    return proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=by,
        action=action,
        payload=payload,
        reason=REASON,
    )


def _approve(container: Container, by: Principal, proposal_id: str) -> Proposal:
    return proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=by,
        proposal_id=proposal_id,
    )


def _register(container: Container, seq: int) -> str:
    return register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        person=register(id_number=resident_id(seq), phone=f"1390000{seq:04d}"),
    ).subject


def _retire(container: Container, people: dict[str, Principal]) -> Proposal:
    proposal = _propose(container, people["ada"], "sunset", grace_days=30)
    assert _approve(container, people["bo"], proposal.id).status is ProposalStatus.PENDING
    return _approve(container, people["cy"], proposal.id)


def test_a_sunset_needs_a_second_admin_and_an_auditor(
    container: Container, people: dict[str, Principal]
) -> None:
    """The first approval only records; the auditor's second approval retires the instance."""
    proposal = _propose(container, people["ada"], "sunset")
    assert proposal.bulk and proposal.payload == {"grace_days": 30}
    first = _approve(container, people["bo"], proposal.id)
    assert first.status is ProposalStatus.PENDING and first.first_approved_by == "bo"
    with container.uow() as uow:
        assert not uow.instance.get().retired
    done = _approve(container, people["cy"], proposal.id)
    assert done.status is ProposalStatus.APPROVED
    with container.uow() as uow:
        state = uow.instance.get()
    assert state.retired and state.proposal == proposal.id
    assert state.purge_after == container.clock.now() + timedelta(days=30)


def test_a_sunset_without_an_auditor_is_refused(
    container: Container, people: dict[str, Principal]
) -> None:
    """Two admins alone cannot retire the instance, and a supervisor may not approve it."""
    proposal = _propose(container, people["ada"], "sunset")
    with pytest.raises(NotAllowed):
        _approve(container, people["di"], proposal.id)
    _approve(container, people["bo"], proposal.id)
    add_test_official(container, "fay", "admin")
    with pytest.raises(NotAllowed, match="auditor"):
        _approve(container, principal(container, "fay"), proposal.id)
    with container.uow() as uow:
        assert not uow.instance.get().retired


def test_a_sunset_needs_an_admin_besides_the_auditor(
    container: Container, people: dict[str, Principal]
) -> None:
    """An auditor's approval alone (then an auditor again) does not retire the instance."""
    add_test_official(container, "ed", "auditor")
    proposal = _propose(container, people["ada"], "sunset")
    _approve(container, people["cy"], proposal.id)
    with pytest.raises(NotAllowed, match="admin"):
        _approve(container, principal(container, "ed"), proposal.id)


def test_a_wrong_grace_period_is_refused_by_name(
    container: Container, people: dict[str, Principal]
) -> None:
    """A grace period that is not 0..365 whole days is named."""
    with pytest.raises(InvalidInput, match=r"payload\.grace_days"):
        _propose(container, people["ada"], "sunset", grace_days=-1)


def test_a_retired_instance_refuses_new_data(
    container: Container, people: dict[str, Principal]
) -> None:
    """During the grace period registration and declarations are refused on ``instance``."""
    subject = _register(container, 1)
    _retire(container, people)
    with pytest.raises(SystemRetired, match="system retired"):
        _register(container, 2)
    with pytest.raises(SystemRetired):
        declare_health(
            uow=container.uow(), clock=container.clock, subject=subject, temperature=36.6
        )
    with pytest.raises(Conflict, match="retired"):
        _propose(container, people["ada"], "sunset")


def test_two_admins_activate_a_retired_instance_again(
    container: Container, people: dict[str, Principal]
) -> None:
    """A reactivation needs a second admin; then registration is accepted again."""
    with pytest.raises(Conflict, match="collecting"):
        _propose(container, people["ada"], "reactivate")
    _retire(container, people)
    proposal = _propose(container, people["ada"], "reactivate")
    with pytest.raises(NotAllowed):
        _approve(container, people["ada"], proposal.id)
    with pytest.raises(NotAllowed):
        _approve(container, people["cy"], proposal.id)
    assert _approve(container, people["bo"], proposal.id).status is ProposalStatus.APPROVED
    assert _register(container, 3)
