"""Unmasking with a reason, on both databases: a tracer reveals a traced contact's phone for a
stated purpose, the contact sees it in their access log; anyone else, another jurisdiction's
case or no purpose is refused and nothing is logged."""

from __future__ import annotations

import pytest

from healthcode.container import Container
from healthcode.kernel.errors import InvalidInput, NotAllowed, NotFound
from healthcode.oversight.access import Principal, Role
from healthcode.oversight.audit import own_access_log
from healthcode.tracing.unmask import RevealedPhone, reveal_phone
from scope_helpers import access_records
from tracing_helpers import confirm, hours, officials, report, resident, stay, work

PURPOSE = "call to arrange a PCR test"


@pytest.fixture
def traced(container: Container) -> tuple[dict[str, Principal], str, dict[str, str]]:
    """A confirmed case (Hangzhou), its close contact at a cafe, and a passer-by elsewhere."""
    who = officials(container)
    p = {n: resident(container, i) for i, n in enumerate(["case", "cc", "passer"], 1)}
    now = container.clock.now()
    stay(container, p["case"], "cafe", now - hours(21), now - hours(20), kind="restaurant")
    stay(container, p["cc"], "cafe", now - hours(21), now - hours(20), kind="restaurant")
    stay(container, p["passer"], "shop", now - hours(21), now - hours(20), kind="restaurant")
    case_id = report(
        container, who["wang"], p["case"], sampled_at=now - hours(2), onset_at=now - hours(2)
    )
    confirm(container, who["li"], case_id)
    work(container)
    return who, case_id, p


def _reveal(
    container: Container, official: Principal, case_id: str, subject: str, purpose: str
) -> RevealedPhone:
    return reveal_phone(
        uow=container.uow(),
        clock=container.clock,
        principal=official,
        case_id=case_id,
        subject=subject,
        purpose=purpose,
    )


def test_a_tracer_reveals_a_contacts_phone_and_the_contact_sees_why(
    container: Container, traced: tuple[dict[str, Principal], str, dict[str, str]]
) -> None:
    """The close contact's whole number is shown; their access log names wang and the purpose."""
    who, case_id, p = traced
    revealed = _reveal(container, who["wang"], case_id, p["cc"], PURPOSE)
    assert (revealed.phone, revealed.purpose) == ("13900000002", PURPOSE)
    citizen = Principal(role=Role.CITIZEN, id=p["cc"], channel="website")
    log = own_access_log(uow=container.uow(), principal=citizen)
    assert [(r.actor, r.what, r.purpose) for r in log][-1] == (
        who["wang"].actor,
        f"phone number, unmasked: {PURPOSE}",
        "unmask",  # what the transparency report counts as an unmasking
    )


def test_unmasking_is_refused_outside_the_cases_reach(
    container: Container, traced: tuple[dict[str, Principal], str, dict[str, str]]
) -> None:
    """A person the case did not touch, another city's official, no purpose: refused, unlogged."""
    who, case_id, p = traced
    before = access_records(container)
    with pytest.raises(NotAllowed, match="not a contact traced from this case"):
        _reveal(container, who["wang"], case_id, p["passer"], PURPOSE)
    shanghai = Principal(role=Role.OFFICIAL, id="sh-1", name="zhou", jurisdiction="310000")
    with pytest.raises(NotFound):
        _reveal(container, shanghai, case_id, p["cc"], PURPOSE)
    with pytest.raises(InvalidInput, match="purpose"):
        _reveal(container, who["wang"], case_id, p["cc"], " ")
    assert access_records(container) == before
