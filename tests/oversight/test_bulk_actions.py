"""Bulk actions (issue 15 item 5) and the Zhengzhou test: a group turned red needs a health
reason, four eyes and a second supervisor, and every step is visible."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

import pytest

from factories import register, resident_id
from healthcode.container import Container
from healthcode.identity.registration import register_person
from healthcode.kernel.errors import InvalidInput, NotAllowed
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal
from healthcode.oversight.bulk import bulk_threshold, oversight_problems
from healthcode.oversight.model import ProposalStatus
from healthcode.policies.versions import activate_policy, refuse_bad_settings
from healthcode.policy.bundled import bundled_policy
from healthcode.policy.model import Policy
from healthcode.status.assessment import status_history
from healthcode.transparency.report import transparency_report
from identity_helpers import add_test_official, principal
from policy_helpers import bundled_source

REASON = "fever clinic reported positive PCR results by phone"


def _with(section: object) -> Policy:
    base = bundled_policy("330100")
    return replace(base, settings=MappingProxyType({**base.settings, "oversight": section}))


def test_the_bulk_threshold_defaults_to_fifty() -> None:
    """A policy without an oversight section makes 51 people or more a bulk action."""
    assert bulk_threshold(bundled_policy("330100")) == 50
    assert oversight_problems(bundled_policy("330100")) == []
    assert bulk_threshold(_with({"bulk_threshold": 3})) == 3


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ({"bulk_threshold": 0}, "oversight.bulk_threshold"),
        ({"bulk_threshold": 2.5}, "oversight.bulk_threshold"),
        ({"bulk_threshold": True}, "oversight.bulk_threshold"),
        ({"bulk_treshold": 5}, "oversight.bulk_treshold"),
        ([5], "oversight"),
    ],
)
def test_a_wrong_oversight_section_is_refused_by_name(section: object, field: str) -> None:
    """A wrong threshold or key is named, and a policy carrying it is refused."""
    policy = _with(section)
    assert [p.field for p in oversight_problems(policy)] == [field]
    with pytest.raises(InvalidInput, match=field.replace(".", r"\.")):
        refuse_bad_settings(policy)


@pytest.fixture
def officials(container: Container) -> dict[str, Principal]:
    for username, role in [("wang", "official"), ("li", "supervisor"), ("zhou", "supervisor")]:
        add_test_official(container, username, role)
    source = bundled_source("330100", version="2020.8") + "\noversight: {bulk_threshold: 2}\n"
    with container.uow() as uow:
        activate_policy(
            uow, clock=container.clock, source=source, activated_by="a", approved_by="b"
        )
        uow.commit()
    return {name: principal(container, name) for name in ("wang", "li", "zhou")}


def _person(container: Container, seq: int) -> str:
    return register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        person=register(id_number=resident_id(seq), phone=f"1390000{seq:04d}"),
    ).subject


def _override(container: Container, by: Principal, subject: str, category: str) -> Any:
    return proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=by,
        action="override_colour",
        payload={
            "subject": subject,
            "colour": "red",
            "reason_category": category,
            "expires_at": (container.clock.now() + timedelta(days=3)).isoformat(),
        },
        reason=REASON,
    )


def _approve(container: Container, by: Principal, proposal_id: str) -> Any:
    return proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=by,
        proposal_id=proposal_id,
        note="checked",
    )


def test_no_group_turns_red_without_a_health_reason(
    container: Container, officials: dict[str, Principal]
) -> None:
    """An override whose reason is not a health reason from the fixed list is refused."""
    subject = _person(container, 1)
    with pytest.raises(InvalidInput, match=r"payload\.reason_category"):
        _override(container, officials["wang"], subject, "stability")
    assert (
        proposals.list_proposals(
            uow=container.uow(), clock=container.clock, principal=officials["li"]
        )
        == []
    )


def test_the_zhengzhou_test(container: Container, officials: dict[str, Principal]) -> None:
    """Colluding officials turn a group red only with a second supervisor, and it shows."""
    wang, li, zhou = officials["wang"], officials["li"], officials["zhou"]
    group = [_person(container, seq) for seq in range(1, 4)]
    made = [
        _override(container, wang, subject, "positive_result_not_yet_reported") for subject in group
    ]
    assert [(p.people, p.bulk) for p in made] == [(1, False), (2, False), (3, True)]
    for proposal in made[:2]:
        assert _approve(container, li, proposal.id).status is ProposalStatus.APPROVED
    once = _approve(container, li, made[2].id)
    assert (once.status, once.first_approved_by) == (ProposalStatus.PENDING, "li")
    assert [c.colour_to.value for c in _history(container, group[2])] == ["green"]
    with pytest.raises(NotAllowed, match="second approver"):
        _approve(container, li, made[2].id)
    with pytest.raises(NotAllowed):  # an official decides nothing, least of all their own
        _approve(container, wang, made[2].id)
    done = _approve(container, zhou, made[2].id)
    assert (done.status, done.decided_by, done.first_approved_by) == (
        ProposalStatus.APPROVED,
        "zhou",
        "li",
    )
    for subject in group:
        last = _history(container, subject)[-1]
        assert last.colour_to.value == "red"
        assert last.cause.startswith("manual_override")
        assert REASON in str(last.status.to_dict("en"))  # the reason, as the person reads it
    report = transparency_report(
        uow=container.uow(), clock=container.clock, first=date(2026, 3, 1), last=date(2026, 3, 1)
    )
    bulk = report.bulk_actions
    assert (bulk.proposed, bulk.executed, bulk.pending, bulk.people) == (1, 1, 0, 3)
    assert dict(bulk.by_kind) == {"override_colour": 1}


def test_overrides_by_other_officials_or_a_day_apart_are_not_one_batch(
    container: Container, officials: dict[str, Principal]
) -> None:
    """The batch counts one official's overrides of the last 24 hours only."""
    add_test_official(container, "chen", "official")
    chen = principal(container, "chen")
    group = [_person(container, seq) for seq in range(1, 5)]
    category = "close_contact_by_investigation"
    first = [_override(container, officials["wang"], s, category) for s in group[:2]]
    other = _override(container, chen, group[2], category)
    container.clock.advance(timedelta(hours=24, seconds=1))  # type: ignore[attr-defined]
    later = _override(container, officials["wang"], group[3], category)
    assert [p.people for p in [*first, other, later]] == [1, 2, 1, 1]
    assert not any(p.bulk for p in [*first, other, later])


def _history(container: Container, subject: str) -> list[Any]:
    return status_history(uow=container.uow(), clock=container.clock, subject=subject)
