"""Identities claimed on the website: unverified (no code) until a channel confirms them with a
face-checked assertion naming the ID number, which also takes the number back from anyone else
who claimed it; registering the holder verified takes it back too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from factories import resident_id
from healthcode.codes.issuing import CodeWithheld, issue_code
from healthcode.container import Container
from healthcode.identity.channels import issue_channel_token
from healthcode.identity.claims import (
    FACE_CHECK_MAX_AGE,
    TAKEN_BACK_NOTICE,
    UNVERIFIED_NOTICE,
    confirm_identity,
)
from healthcode.identity.model import IdentityState
from healthcode.kernel.errors import Conflict, NotAuthenticated, NotFound
from healthcode.kernel.facts import FactKind
from identity_helpers import (
    ChannelKit,
    add_test_channel,
    bearer,
    register_via_channel,
    website_citizen,
)
from presence_helpers import keys
from sign_up_helpers import confirm_identity_through, website_sign_up

TRUE_PHONE, FALSE_PHONE = "13822220001", "13822220002"
NUMBER = resident_id(21)


def _state(container: Container, subject: str) -> IdentityState:
    with container.uow() as uow:
        person = uow.persons.get(subject)
    assert person is not None
    return person.identity


def _withheld(container: Container, subject: str) -> list[str]:
    """The notices that withhold the person's code (none when it is issued)."""
    try:
        issue_code(
            uow=container.uow(),
            clock=container.clock,
            private_keys=container.private_keys,
            subject=subject,
            lifetime=timedelta(minutes=5),
        )
    except CodeWithheld as withheld:
        return [n.notice_id for n in withheld.notices]
    return []


def _confirm(container: Container, kit: ChannelKit, *, phone: str, **claims: object) -> str:
    now = container.clock.now()
    claims = {"face_checked_at": now, "id_number": NUMBER, **claims}
    return confirm_identity(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        channel_id=kit.id,
        assertion=kit.assertion(user_id="u-9", now=now, **claims),  # type: ignore[arg-type]
        phone=phone,
    ).subject


def test_a_website_identity_is_unverified_and_gets_no_code(container: Container) -> None:
    """A website sign-up is unverified and its code is withheld with the unverified notice."""
    keys(container)
    subject = website_sign_up(container, phone=TRUE_PHONE, id_number=NUMBER)
    assert _state(container, subject) is IdentityState.UNVERIFIED
    assert _withheld(container, subject) == [UNVERIFIED_NOTICE]


def test_a_channel_confirms_the_identity_and_takes_back_a_false_claim(
    container: Container,
) -> None:
    """A channel's face check verifies one claimant; the other claim is taken back, recorded."""
    # Two website accounts claim one ID number; the channel's face-checked assertion confirms
    # one: it is verified, gets its code and is bound to the channel's user; the other claim
    # is taken back, recorded, and its code withheld.
    keys(container)
    false = website_sign_up(container, phone=FALSE_PHONE, id_number=NUMBER)
    true = website_sign_up(container, phone=TRUE_PHONE, id_number=NUMBER)
    kit = add_test_channel(container)
    assert _confirm(container, kit, phone=TRUE_PHONE) == true
    assert _state(container, true) is IdentityState.VERIFIED
    assert _state(container, false) is IdentityState.TAKEN_BACK
    assert _withheld(container, true) == []
    assert _withheld(container, false) == [TAKEN_BACK_NOTICE]
    with container.uow() as uow:
        assert uow.channels.subject_for(channel_id=kit.id, channel_user_id="u-9") == true
        assert [(s, h) for s, _, h in uow.identity_events.of(false)] == [
            (IdentityState.TAKEN_BACK, true)
        ]
        assert [s for s, _, _ in uow.identity_events.of(true)] == [IdentityState.VERIFIED]
        assert uow.facts.for_subject(true, kinds=(FactKind.IDENTITY_CHECK,))


def test_registering_the_holder_through_a_channel_takes_back_a_website_claim(
    container: Container,
) -> None:
    """The holder registered through a channel is verified; the website claim is taken back."""
    # The true holder registered through a channel is verified at once, although a website
    # account claimed the number first; that claim is taken back.
    false = website_sign_up(container, phone=FALSE_PHONE, id_number=NUMBER)
    holder = register_via_channel(container, add_test_channel(container), id_number=NUMBER)
    assert _state(container, holder) is IdentityState.VERIFIED
    assert _state(container, false) is IdentityState.TAKEN_BACK
    with container.uow() as uow:
        assert uow.identity_events.of(false)[0][2] == holder


def test_a_taken_back_claim_cannot_be_confirmed(container: Container) -> None:
    """A face-checked assertion for a number verified for another person is a conflict."""
    false = website_sign_up(container, phone=FALSE_PHONE, id_number=NUMBER)
    register_via_channel(container, add_test_channel(container, "wechat"), id_number=NUMBER)
    with pytest.raises(Conflict) as refused:
        _confirm(container, add_test_channel(container), phone=FALSE_PHONE)
    assert refused.value.field == "id_number"
    assert _state(container, false) is IdentityState.TAKEN_BACK


@pytest.mark.parametrize(
    ("claims", "refusal"),
    [
        ({"face_checked_at": None}, NotAuthenticated),
        ({"id_number": None}, NotAuthenticated),
        ({"id_number": "330106199001010219"}, NotAuthenticated),  # a wrong check character
        ({"id_number": resident_id(22)}, Conflict),  # not the number the account claims
    ],
)
def test_confirmations_that_prove_nothing_are_refused(
    container: Container, claims: dict[str, object], refusal: type[Exception]
) -> None:
    """No face check, no ID number, a malformed one or another one: refused, still unverified."""
    subject = website_sign_up(container, phone=TRUE_PHONE, id_number=NUMBER)
    with pytest.raises(refusal):
        _confirm(container, add_test_channel(container), phone=TRUE_PHONE, **claims)
    assert _state(container, subject) is IdentityState.UNVERIFIED


def test_a_stale_face_check_or_an_unknown_phone_is_refused(container: Container) -> None:
    """A face check older than the limit is refused, and a phone with no account is 404."""
    subject = website_sign_up(container, phone=TRUE_PHONE, id_number=NUMBER)
    kit = add_test_channel(container)
    stale = container.clock.now() - FACE_CHECK_MAX_AGE - timedelta(seconds=1)
    with pytest.raises(NotAuthenticated):
        _confirm(container, kit, phone=TRUE_PHONE, face_checked_at=stale)
    with pytest.raises(NotFound):
        _confirm(container, kit, phone=FALSE_PHONE)
    assert _state(container, subject) is IdentityState.UNVERIFIED


def test_confirming_over_http(client: TestClient, container: Container) -> None:
    """Over HTTP: no code while unverified (403), a channel confirms, then the code is issued."""
    # A channel confirms a website citizen over HTTP: the profile then says verified and the
    # code is issued; before, the code answer is 403 naming the unverified notice.
    keys(container)
    subject, headers = website_citizen(client, verified=False, phone=TRUE_PHONE, id_number=NUMBER)
    assert client.get("/api/v1/me", headers=headers).json()["identity"] == "unverified"
    before = client.get("/api/v1/me/code", headers=headers)
    assert before.status_code == 403 and before.json()["notices"] == [UNVERIFIED_NOTICE]
    kit = add_test_channel(container)
    token = issue_channel_token(
        uow=container.uow(),
        clock=container.clock,
        client_id=kit.id,
        client_secret=kit.client_secret,
    ).access_token
    now = container.clock.now()
    body = {
        "phone": TRUE_PHONE,
        "assertion": kit.assertion(user_id="u-1", now=now, face_checked_at=now, id_number=NUMBER),
    }
    confirmed = client.post("/api/v1/identity-confirmations", json=body, headers=bearer(token))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"subject": subject, "identity": "verified"}
    assert client.get("/api/v1/me", headers=headers).json()["identity"] == "verified"
    assert client.get("/api/v1/me/code", headers=headers).status_code == 200
    assert client.post("/api/v1/identity-confirmations", json=body).status_code == 401


def test_the_helper_confirms_like_the_route(container: Container) -> None:
    """Confirming again for a verified person changes nothing and takes back nothing."""
    subject = website_sign_up(container, phone=TRUE_PHONE, id_number=NUMBER)
    kit = add_test_channel(container)
    args = {"user_id": "u-2", "phone": TRUE_PHONE, "id_number": NUMBER}
    assert confirm_identity_through(container, kit, **args) == subject  # type: ignore[arg-type]
    assert confirm_identity_through(container, kit, **args) == subject  # type: ignore[arg-type]
    with container.uow() as uow:
        assert len(uow.identity_events.of(subject)) == 1


def test_a_second_verified_holder_is_a_conflict_not_an_error(container: Container) -> None:
    """The constraint that loses a race of two confirmations answers Conflict, and rolls back."""
    # The use case checks the holder first; two confirmations at the same moment both pass that
    # check, and the second meets the unique ID lookup. Marking the second claimant verified
    # directly reproduces what it meets.
    keys(container)
    first = website_sign_up(container, phone=TRUE_PHONE, id_number=NUMBER)
    second = website_sign_up(container, phone=FALSE_PHONE, id_number=NUMBER)
    with container.uow() as uow:
        uow.persons.set_identity(first, IdentityState.VERIFIED)
        uow.commit()
    with container.uow() as uow, pytest.raises(Conflict) as refused:
        uow.persons.set_identity(second, IdentityState.VERIFIED)
    assert refused.value.field == "id_number"
    assert _state(container, second) is IdentityState.UNVERIFIED
