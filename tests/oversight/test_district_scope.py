"""Officials scoped to a district act only on people registered in that district."""

from __future__ import annotations

from datetime import timedelta

import pytest

from factories import register, resident_id
from healthcode.container import Container
from healthcode.identity.profile import show_profile
from healthcode.identity.registration import register_person
from healthcode.kernel.errors import InvalidInput, NotAllowed, NotFound
from healthcode.oversight import proposals
from healthcode.tracing.cases import get_case, list_cases
from healthcode.tracing.quarantine import list_quarantines
from identity_helpers import add_test_official, principal
from tracing_helpers import confirm, hours, officials, report, work

XIHU = "330106"
SHANGCHENG = "330102"


def _person(container: Container, seq: int, district: str | None) -> str:
    return register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        person=register(id_number=resident_id(seq), phone=f"1390000{seq:04d}", district=district),
    ).subject


def _read(container: Container, username: str, subject: str) -> str:
    reader = principal(container, username)
    profile = show_profile(
        uow=container.uow(), clock=container.clock, principal=reader, subject=subject
    )
    return profile.subject


def test_district_official_reads_only_their_district(container: Container) -> None:
    """A district official reads only their district's residents; a city-wide one reads all."""
    xihu, shangcheng, unknown = (
        _person(container, 1, XIHU),
        _person(container, 2, SHANGCHENG),
        _person(container, 3, None),
    )
    add_test_official(container, "xh", "official", district=XIHU)
    add_test_official(container, "city", "official")
    assert _read(container, "xh", xihu) == xihu
    for outside in (shangcheng, unknown):
        with pytest.raises(NotAllowed, match="district"):
            _read(container, "xh", outside)
    for anyone in (xihu, shangcheng, unknown):
        assert _read(container, "city", anyone) == anyone


def test_district_supervisor_cannot_approve_outside_their_district(container: Container) -> None:
    """An override for a Shangcheng resident cannot be approved by a Xihu supervisor."""
    subject = _person(container, 4, SHANGCHENG)
    add_test_official(container, "wang", "official")
    add_test_official(container, "xh-sup", "supervisor", district=XIHU)
    proposal = proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=principal(container, "wang"),
        action="override_colour",
        payload={
            "subject": subject,
            "colour": "red",
            "reason_category": "positive_result_not_yet_reported",
            "expires_at": (container.clock.now() + timedelta(days=2)).isoformat(),
        },
        reason="positive PCR reported by phone",
    )
    with pytest.raises(NotAllowed, match="district"):
        proposals.approve(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=principal(container, "xh-sup"),
            proposal_id=proposal.id,
        )


@pytest.mark.parametrize("district", ["310101", "33010", "abcdef"])
def test_district_must_be_a_code_inside_the_jurisdiction(
    container: Container, district: str
) -> None:
    """A district outside the jurisdiction, or not a six-digit code, is refused by name."""
    with pytest.raises(InvalidInput) as refused:
        _person(container, 5, district)
    assert [p.field for p in refused.value.problems] == ["district"]


def test_district_official_lists_only_their_district_cases_and_quarantines(
    container: Container,
) -> None:
    """A district official lists and finds only their district's cases and orders."""
    who = officials(container)
    xihu, shangcheng = _person(container, 1, XIHU), _person(container, 2, SHANGCHENG)
    now = container.clock.now()
    ids = {
        s: report(container, who["wang"], s, sampled_at=now - hours(3)) for s in (xihu, shangcheng)
    }
    for case_id in ids.values():
        confirm(container, who["li"], case_id)
    work(container)
    add_test_official(container, "xh", "official", district=XIHU)
    xh = principal(container, "xh")

    listed = list_cases(uow=container.uow(), clock=container.clock, principal=xh)
    assert [v.record.case_id for v in listed] == [ids[xihu]]
    with pytest.raises(NotFound):
        get_case(uow=container.uow(), clock=container.clock, principal=xh, case_id=ids[shangcheng])
    orders = list_quarantines(uow=container.uow(), clock=container.clock, principal=xh)
    assert {v.order.subject for v in orders} == {xihu}
    everyone = list_quarantines(uow=container.uow(), clock=container.clock, principal=who["wang"])
    assert {v.order.subject for v in everyone} == {xihu, shangcheng}
    assert len(list_cases(uow=container.uow(), clock=container.clock, principal=who["wang"])) == 2
