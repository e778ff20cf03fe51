"""A citizen's rights over HTTP: all their data as JSON, and closing their account (personal
data purged, what the city counts kept, no login ever again)."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from healthcode.container import Container
from healthcode.db.facts import PresenceRow, TestResultRow
from healthcode.identity.profile import show_profile
from healthcode.identity.tables import PersonRow
from healthcode.presence.tables import CheckinRow
from healthcode.status.tables import CurrentStatusRow
from healthcode.status.test_results import record_test_result
from identity_helpers import (
    PASSWORD,
    add_test_channel,
    add_test_official,
    as_citizen_of,
    channel_token,
    principal,
    register_via_channel,
    website_citizen,
)
from presence_helpers import WEST_LAKE, check_in_at, city

PHONE = "13800000000"


def _count(container: Container, row: type, subject: str) -> int:
    with container.uow() as uow:
        query = select(func.count()).select_from(row).where(row.subject == subject)  # type: ignore[attr-defined]
        return int(uow.session.scalar(query) or 0)


def _red_with_a_checkin(container: Container, subject: str) -> None:
    venues = city(container)
    check_in_at(container, subject, venues.restaurant.place_code, WEST_LAKE)
    record_test_result(
        uow=container.uow(),
        clock=container.clock,
        subject=subject,
        test_kind="pcr",
        result="positive",
        sampled_at=container.clock.now() - timedelta(hours=1),
    )


def test_export_holds_all_my_data_and_who_read_it(container: Container, client: TestClient) -> None:
    """The export has the identity in clear, facts, status, check-ins, appeals, the access log."""
    subject, citizen = website_citizen(client, phone=PHONE)
    _red_with_a_checkin(container, subject)
    filed = client.post("/api/v1/me/appeals", json={"reason": "not mine"}, headers=citizen)
    assert filed.status_code == 201, filed.text
    add_test_official(container, "wang")
    show_profile(
        uow=container.uow(),
        clock=container.clock,
        principal=principal(container, "wang"),
        subject=subject,
    )
    answer = client.get("/api/v1/me/export", headers=citizen)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["identity"]["subject"] == subject and data["identity"]["phone"] == PHONE
    assert data["identity"]["name"] == "张三丰"
    kinds = {f["kind"] for f in data["facts"]}
    assert {"test_result", "presence"} <= kinds and "exposure" not in kinds
    assert data["status"]["colour"] == "red" and data["status_history"]
    assert len(data["checkins"]) == 1 and data["checkins"][0]["lat"] == WEST_LAKE[0]
    assert [a["id"] for a in data["appeals"]] == [filed.json()["id"]]
    assert [r["actor"] for r in data["access_log"]] == ["official:wang"]


def test_closing_on_the_website_purges_and_locks_out(
    container: Container, client: TestClient
) -> None:
    """A wrong password is refused; the right one purges identity, presences and logins for good."""
    subject, citizen = website_citizen(client, phone=PHONE)
    _red_with_a_checkin(container, subject)
    client.post(
        "/api/v1/me/appeals", json={"reason": "my phone number 13800000000"}, headers=citizen
    )
    for unconfirmed in ({}, {"password": PASSWORD}, {"confirm": True}):
        refused = client.post("/api/v1/me/close", json=unconfirmed, headers=citizen)
        assert refused.status_code == 422
    wrong = client.post(
        "/api/v1/me/close", json={"confirm": True, "password": "not it"}, headers=citizen
    )
    assert wrong.status_code == 401
    closed = client.post(
        "/api/v1/me/close", json={"confirm": True, "password": PASSWORD}, headers=citizen
    )
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert (body["presences"], body["checkins"], body["appeal_texts"]) == (1, 1, 1)
    assert body["logins"] >= 2  # the website account and its session
    assert client.get("/api/v1/me", headers=citizen).status_code == 401
    login = client.post("/api/v1/website/login", json={"phone": PHONE, "password": PASSWORD})
    assert login.status_code == 401
    with container.uow() as uow:
        person = uow.persons.get(subject)
        row = uow.session.get(PersonRow, subject)
        assert row is not None and row.identity_state == "closed" and subject in row.id_lookup
        (appeal,) = uow.appeals.of_subject(subject)
    assert person is not None and (person.name, person.phone, person.id_number) == ("", "", "")
    assert appeal.reason == "" and appeal.state.value == "withdrawn"
    assert appeal.decided_at == container.clock.now()
    assert _count(container, PresenceRow, subject) == _count(container, CheckinRow, subject) == 0
    # what the city counts stays, linked to no one
    assert _count(container, TestResultRow, subject) == 1
    assert _count(container, CurrentStatusRow, subject) == 1


def test_closing_through_a_channel_unbinds_its_user(
    container: Container, client: TestClient
) -> None:
    """Through a channel the signed assertion re-authenticates; the user is then unknown there."""
    kit = add_test_channel(container)
    subject = register_via_channel(container, kit, user_id="u-1")
    token = channel_token(client, kit)
    now = container.clock.now()
    closed = client.post(
        "/api/v1/me/close",
        json={"confirm": True},
        headers=as_citizen_of(token, kit, user_id="u-1", now=now),
    )
    assert closed.status_code == 200, closed.text
    again = client.get("/api/v1/me", headers=as_citizen_of(token, kit, user_id="u-1", now=now))
    assert again.status_code == 401 and "not registered" in again.text
    with container.uow() as uow:
        assert uow.channels.active_bindings([subject]) == {}
