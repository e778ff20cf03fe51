"""A district official sees and acts on their district's people only, and every read of
someone's data is in the access log: the attacks of issue 17 replayed, in services and HTTP."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from healthcode.container import Container
from healthcode.kernel.errors import NotFound
from healthcode.oversight import proposals
from healthcode.presence.checkins import flagged_checkins, review_checkin
from healthcode.tracing import cases
from healthcode.tracing.quarantine import list_quarantines
from identity_helpers import official_headers
from scope_helpers import TwoDistricts, access_entries, access_records, two_districts
from tracing_helpers import report, resident


def test_district_official_lists_only_their_district(container: Container) -> None:
    """A Xihu official's lists hold no Shangcheng resident; a city-wide official's hold both."""
    world = two_districts(container)
    uow, clock = container.uow, container.clock
    both = {world.xihu.subject, world.shangcheng.subject}
    for reader, expected in (
        (world.district_official, {world.xihu.subject}),
        (world.city_official, both),
    ):
        listed = proposals.list_proposals(uow=uow(), clock=clock, principal=reader)
        assert {p.subject for p in listed} == expected
        flagged = flagged_checkins(uow=uow(), clock=clock, principal=reader)
        assert {c.subject for c in flagged} == expected
        found = cases.list_cases(uow=uow(), clock=clock, principal=reader)
        assert {v.record.subject for v in found} == expected
        orders = list_quarantines(uow=uow(), clock=clock, principal=reader)
        assert {v.order.subject for v in orders} == expected


def test_district_official_cannot_read_or_review_another_districts_items(
    container: Container,
) -> None:
    """A Xihu official finds no Shangcheng proposal, case or check-in, and cannot review it."""
    world = two_districts(container)
    uow, clock, xh = container.uow, container.clock, world.district_official
    other = world.shangcheng
    with pytest.raises(NotFound):
        proposals.get_proposal(uow=uow(), clock=clock, principal=xh, proposal_id=other.proposal_id)
    with pytest.raises(NotFound):
        cases.get_case(uow=uow(), clock=clock, principal=xh, case_id=other.case_id)
    for confirm in (False, True):
        with pytest.raises(NotFound):
            review_checkin(
                uow=uow(), clock=clock, principal=xh, checkin_id=other.checkin_id, confirm=confirm
            )
    with container.uow() as unit:
        still = unit.venues.checkin(other.checkin_id)
    assert still is not None and still.state == "flagged" and still.reviewed_by is None
    assert all(actor != "official:xh" for actor, _ in access_entries(container, other.subject))


def _reads(world: TwoDistricts, container: Container) -> None:
    uow, clock, xh = container.uow, container.clock, world.district_official
    mine = world.xihu
    proposals.list_proposals(uow=uow(), clock=clock, principal=xh)
    proposals.get_proposal(uow=uow(), clock=clock, principal=xh, proposal_id=mine.proposal_id)
    flagged_checkins(uow=uow(), clock=clock, principal=xh)
    cases.list_cases(uow=uow(), clock=clock, principal=xh)
    cases.get_case(uow=uow(), clock=clock, principal=xh, case_id=mine.case_id)
    list_quarantines(uow=uow(), clock=clock, principal=xh)
    review_checkin(uow=uow(), clock=clock, principal=xh, checkin_id=mine.checkin_id, confirm=False)


def test_every_read_of_a_person_is_in_their_access_log(container: Container) -> None:
    """Each list and read writes a record naming what was read of the person shown, no other."""
    world = two_districts(container)
    outside_before = access_records(container, world.shangcheng.subject)
    before = len(access_entries(container, world.xihu.subject))
    _reads(world, container)
    seen = access_entries(container, world.xihu.subject)[before:]
    assert seen == [
        ("official:xh", "proposals"),
        ("official:xh", "proposal: override_colour"),
        ("official:xh", "flagged check-ins"),
        ("official:xh", "cases"),
        ("official:xh", "case"),
        ("official:xh", "quarantines"),
        ("official:xh", "check-in review"),
    ]
    assert access_records(container, world.shangcheng.subject) == outside_before
    with container.uow() as uow:
        count, problem = uow.audit.verify()
    assert problem is None and count == access_records(container)


def test_a_list_writes_one_record_per_person_shown(container: Container) -> None:
    """Listing four proposals about two people writes two records: one per person shown."""
    world = two_districts(container)
    before = access_records(container)
    listed = proposals.list_proposals(
        uow=container.uow(), clock=container.clock, principal=world.city_official
    )
    assert len(listed) == 4
    assert access_records(container) == before + 2


def test_http_district_official_gets_nothing_of_another_district(
    container: Container, client: TestClient
) -> None:
    """Over HTTP a Xihu official never lists or gets Shangcheng's items; reads are logged."""
    world = two_districts(container)
    headers = official_headers(client, world.district_kit, container.clock.now())
    other, mine = world.shangcheng, world.xihu
    before = access_records(container, mine.subject)
    for path in (
        "/api/v1/proposals",
        "/api/v1/checkins/flagged",
        "/api/v1/cases",
        "/api/v1/quarantines",
    ):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, answer.text
        assert {item["subject"] for item in answer.json()} == {mine.subject}, path
    for path in (f"/api/v1/proposals/{other.proposal_id}", f"/api/v1/cases/{other.case_id}"):
        assert client.get(path, headers=headers).status_code == 404, path
    for verb in ("reject", "confirm"):
        answer = client.post(f"/api/v1/checkins/{other.checkin_id}/{verb}", headers=headers)
        assert answer.status_code == 404, answer.text
    with container.uow() as uow:
        still = uow.venues.checkin(other.checkin_id)
    assert still is not None and still.state == "flagged"
    assert access_records(container, mine.subject) == before + 4
    assert all(actor != "official:xh" for actor, _ in access_entries(container, other.subject))


def test_withdrawing_a_reported_case_is_in_the_persons_access_log(container: Container) -> None:
    """A supervisor withdrawing a still pending report (it shows the case) is recorded."""
    world = two_districts(container)
    subject = resident(container, 5)
    case_id = report(container, world.city_official, subject, sampled_at=container.clock.now())
    cases.withdraw_case(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=world.officials["li"],
        case_id=case_id,
        reason="the sample was mislabelled",
    )
    assert ("supervisor:li", "case withdrawn") in access_entries(container, subject)
