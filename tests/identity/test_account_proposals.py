"""Officials' accounts by four eyes of two admins: create, change, reset TOTP, disable."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from healthcode.cli.proposals import proposal_payload
from healthcode.container import Container
from healthcode.identity.account_proposals import list_account_proposals
from healthcode.identity.officials import log_in_official
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import Conflict, InvalidInput, NotAllowed, NotAuthenticated
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal
from healthcode.oversight.model import Proposal, ProposalStatus
from healthcode.oversight.schemas import ProposalOut
from identity_helpers import PASSWORD, add_test_official, principal, totp_code, totp_secret

NEW_PASSWORD = "a fresh passphrase"


@pytest.fixture
def admins(container: Container) -> dict[str, Principal]:
    for username, role in [("root", "admin"), ("ops", "admin"), ("li", "supervisor")]:
        add_test_official(container, username, role)
    return {name: principal(container, name) for name in ("root", "ops", "li")}


def _propose(container: Container, who: Principal, kind: str, **payload: Any) -> Proposal:
    return proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who,
        action=kind,
        payload=payload,
        reason="staffing",
    )


def _approve(container: Container, who: Principal, proposal: Proposal) -> Proposal:
    return proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who,
        proposal_id=proposal.id,
    )


def _create(container: Container, who: Principal, username: str, role: str) -> Proposal:
    return _propose(
        container,
        who,
        "create_official",
        username=username,
        role=role,
        jurisdiction="330100",
        password=NEW_PASSWORD,
    )


def _log_in(container: Container, username: str, password: str, secret: str) -> None:
    log_in_official(
        uow=container.uow(),
        clock=container.clock,
        username=username,
        password=password,
        totp_code=totp_code(secret, container.clock.now()),
    )


def test_one_admin_alone_cannot_create_an_official(
    container: Container, admins: dict[str, Principal]
) -> None:
    """The proposing admin cannot approve, nor can a supervisor; no account is made."""
    proposal = _create(container, admins["root"], "qian", "official")
    for who in ("root", "li"):
        with pytest.raises(NotAllowed):
            _approve(container, admins[who], proposal)
    with pytest.raises(NotAllowed):
        _create(container, admins["li"], "zhao", "official")  # nor may a supervisor propose
    with pytest.raises(NotAuthenticated):
        _log_in(container, "qian", NEW_PASSWORD, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")


def test_two_admins_create_an_official_who_logs_in(
    container: Container, admins: dict[str, Principal]
) -> None:
    """Approved by a second admin, the account exists and its TOTP URI is shown once only."""
    proposal = _create(container, admins["root"], "qian", "official")
    approved = _approve(container, admins["ops"], proposal)
    assert approved.result is not None
    _log_in(container, "qian", NEW_PASSWORD, totp_secret(str(approved.result["totp_uri"])))
    stored = proposals.get_proposal(
        uow=container.uow(), clock=container.clock, principal=admins["li"], proposal_id=proposal.id
    )
    assert stored.result == {"official_id": approved.result["official_id"], "username": "qian"}
    assert principal(container, "qian").sponsor == "root"


def test_the_password_hash_is_never_shown(
    container: Container, admins: dict[str, Principal]
) -> None:
    """Listings and answers carry no password nor its hash; storage drops it once decided."""
    proposal = _create(container, admins["root"], "qian", "official")
    assert "$argon2" in json.dumps(dict(proposal.payload))  # kept, sealed, while pending
    listed = list_account_proposals(uow=container.uow(), principal=admins["ops"])
    pending = proposals.list_proposals(
        uow=container.uow(), clock=container.clock, principal=admins["li"]
    )
    shown = [*listed, *pending, proposal]
    texts = [ProposalOut.of(p).model_dump_json() for p in shown]
    texts += [json.dumps(proposal_payload(p), default=str) for p in shown]
    assert all("argon2" not in t and NEW_PASSWORD not in t and "sealed" not in t for t in texts)
    _approve(container, admins["ops"], proposal)
    uow = container.uow()
    with uow:
        decided = uow.proposals.get(proposal.id)
    assert decided is not None and "argon2" not in json.dumps(dict(decided.payload))


def test_reset_totp_invalidates_the_old_secret(
    container: Container, admins: dict[str, Principal], clock: FixedClock
) -> None:
    """After a reset, the old secret's codes are refused and the new URI's are accepted."""
    kit = add_test_official(container, "qian", "official")
    _log_in(container, "qian", PASSWORD, kit.secret)
    proposal = _propose(container, admins["root"], "reset_totp", username="qian")
    approved = _approve(container, admins["ops"], proposal)
    assert approved.result is not None
    new_secret = totp_secret(str(approved.result["totp_uri"]))
    clock.advance(timedelta(seconds=60))
    with pytest.raises(NotAuthenticated):
        _log_in(container, "qian", PASSWORD, kit.secret)
    _log_in(container, "qian", PASSWORD, new_secret)
    stored = proposals.get_proposal(
        uow=container.uow(), clock=container.clock, principal=admins["li"], proposal_id=proposal.id
    )
    assert stored.result is not None and "totp_uri" not in stored.result


def test_two_admins_change_a_role_and_scope(
    container: Container, admins: dict[str, Principal]
) -> None:
    """A change of role and district takes effect on approval, and names its sponsor."""
    add_test_official(container, "qian", "official")
    proposal = _propose(
        container,
        admins["root"],
        "change_official",
        username="qian",
        role="supervisor",
        district="330106",
    )
    _approve(container, admins["ops"], proposal)
    qian = principal(container, "qian")
    assert (qian.role.value, qian.district, qian.sponsor) == ("supervisor", "330106", "root")


def test_no_admin_changes_their_own_account(
    container: Container, admins: dict[str, Principal]
) -> None:
    """An admin can neither propose nor approve a change of their own account."""
    with pytest.raises(NotAllowed):
        _propose(container, admins["root"], "change_official", username="root", role="official")
    proposal = _propose(container, admins["root"], "reset_totp", username="ops")
    with pytest.raises(NotAllowed):
        _approve(container, admins["ops"], proposal)


def test_a_sponsored_account_never_pairs_with_its_sponsor(
    container: Container, admins: dict[str, Principal]
) -> None:
    """An admin's second account, made on their proposal, approves none of theirs nor they its."""
    _approve(container, admins["ops"], _create(container, admins["root"], "sock", "admin"))
    sock = principal(container, "sock")
    by_root = _create(container, admins["root"], "qian", "official")
    with pytest.raises(NotAllowed, match="sponsored your account"):
        _approve(container, sock, by_root)
    by_sock = _create(container, sock, "zhao", "official")
    with pytest.raises(NotAllowed, match="sponsored the proposer"):
        _approve(container, admins["root"], by_sock)
    _approve(container, admins["ops"], by_root)  # an unrelated admin can
    _approve(container, admins["ops"], by_sock)


def test_the_last_admin_cannot_be_removed(
    container: Container, admins: dict[str, Principal]
) -> None:
    """Approvals that would disable every admin stop at the last one."""
    add_test_official(container, "third", "admin")
    third = principal(container, "third")
    root, ops = admins["root"], admins["ops"]
    disable_root = _propose(container, third, "disable_official", username="root")
    demote_ops = _propose(container, root, "change_official", username="ops", role="official")
    disable_third = _propose(container, ops, "disable_official", username="third")
    _approve(container, ops, disable_root)
    _approve(container, third, demote_ops)
    # root's principal was authenticated before root was disabled (a request in flight)
    with pytest.raises(Conflict, match="last active admin"):
        _approve(container, root, disable_third)
    assert principal(container, "third").role.value == "admin"


def test_account_proposals_are_checked_when_proposed(
    container: Container, admins: dict[str, Principal]
) -> None:
    """A taken username, another city's scope or a change of nothing is refused by name."""
    with pytest.raises(Conflict, match="taken"):
        _create(container, admins["root"], "ops", "official")
    with pytest.raises(InvalidInput) as refused:
        _propose(
            container,
            admins["root"],
            "change_official",
            username="li",
            jurisdiction="310000",
            district="garbage!",
        )
    assert [p.field for p in refused.value.problems] == ["payload.jurisdiction", "payload.district"]
    with pytest.raises(InvalidInput, match="changes nothing"):
        _propose(container, admins["root"], "change_official", username="li", role="supervisor")
    listed = list_account_proposals(
        uow=container.uow(), principal=admins["ops"], status=ProposalStatus.PENDING
    )
    assert listed == []
