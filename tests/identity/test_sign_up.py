"""Sign-up on the website without oracles: one answer whatever is registered, the phone proven
by a code sent by SMS (wrong, expired, used and over-tried codes refused alike), throttled per
address and per phone even under parallel requests."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from factories import register, registration, resident_id
from healthcode.container import Container
from healthcode.identity import sign_up as sign_up_module
from healthcode.identity.sign_up import (
    ACCOUNT_KEPT_TEXT,
    ACCOUNT_MADE_TEXT,
    CODE_ATTEMPTS,
    CODE_LIFETIME,
    CODE_REFUSED,
    CODES_PER_ADDRESS,
    CODES_PER_PHONE,
    SIGN_UPS_PER_ADDRESS,
    SignUp,
    sign_up,
    start_sign_up,
)
from healthcode.identity.tables import CitizenAccountRow, PersonRow
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import NotAuthenticated, TooManyAttempts
from identity_helpers import PASSWORD, add_test_channel, register_via_channel
from login_race_helpers import in_parallel
from sign_up_helpers import (
    SIGN_UP,
    START,
    last_code,
    sign_up_body,
    texts_to,
    website_sign_up,
)

KNOWN, UNKNOWN = "13811110001", "13811110002"


def _start(container: Container, phone: str, address: str = "10.0.0.1") -> None:
    start_sign_up(uow=container.uow(), clock=container.clock, phone=phone, client_address=address)


def _finish(container: Container, code: str, *, address: str = "10.0.0.1", **person: Any) -> None:
    sign_up(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        client_address=address,
        request=SignUp(person=register(**person), password=PASSWORD, code=code),
    )


def _counts(container: Container) -> tuple[int, int]:
    """(people, website accounts) stored."""
    with container.uow() as uow:
        people = uow.session.scalar(select(func.count()).select_from(PersonRow))
        accounts = uow.session.scalar(select(func.count()).select_from(CitizenAccountRow))
    return int(people or 0), int(accounts or 0)


def _answer(response: Any) -> tuple[int, Any]:
    return response.status_code, response.json()


def test_asking_for_a_code_is_answered_alike_for_known_and_unknown_phones(
    client: TestClient, container: Container
) -> None:
    """A registered and an unregistered phone get the same 202 answer, and each a code."""
    website_sign_up(container, phone=KNOWN)
    known = client.post(START, json={"phone": KNOWN})
    unknown = client.post(START, json={"phone": UNKNOWN})
    assert _answer(known) == _answer(unknown)
    assert known.status_code == 202
    assert len(last_code(container, KNOWN)) == len(last_code(container, UNKNOWN)) == 6


def test_signing_up_a_phone_with_an_account_is_answered_like_a_new_one(
    client: TestClient, container: Container
) -> None:
    """A phone with an account gets the new phone's answer; no second account; the SMS says."""
    # With the right code, a phone that has an account gets the same answer as a new one; no
    # second account is made, and the SMS tells the phone's holder which happened.
    website_sign_up(container, phone=KNOWN)
    people_before, accounts_before = _counts(container)
    for phone in (KNOWN, UNKNOWN):
        assert client.post(START, json={"phone": phone}).status_code == 202
    again = client.post(
        SIGN_UP, json=sign_up_body(container, phone=KNOWN, id_number=resident_id(3))
    )
    new = client.post(
        SIGN_UP, json=sign_up_body(container, phone=UNKNOWN, id_number=resident_id(4))
    )
    assert _answer(again) == _answer(new)
    assert again.status_code == 202
    assert _counts(container) == (people_before + 1, accounts_before + 1)
    assert texts_to(container, KNOWN)[-1] == ACCOUNT_KEPT_TEXT
    assert texts_to(container, UNKNOWN)[-1] == ACCOUNT_MADE_TEXT


def test_a_registered_id_number_is_answered_like_any_other(
    client: TestClient, container: Container
) -> None:
    """A verified ID number is answered like a free one (no 409); its holder keeps it."""
    # An ID number already verified for someone is not refused (no 409 to learn it from): the
    # website claim is made, unverified, and the verified holder keeps the number.
    holder = register_via_channel(container, add_test_channel(container), id_number=resident_id(5))
    for phone in (KNOWN, UNKNOWN):
        client.post(START, json={"phone": phone})
    taken = client.post(
        SIGN_UP, json=sign_up_body(container, phone=KNOWN, id_number=resident_id(5))
    )
    free = client.post(
        SIGN_UP, json=sign_up_body(container, phone=UNKNOWN, id_number=resident_id(6))
    )
    assert _answer(taken) == _answer(free)
    with container.uow() as uow:
        number = {"jurisdiction": "330100", "id_type": "resident", "id_number": resident_id(5)}
        assert uow.persons.subject_for_id_number(**number) == holder
        assert len(uow.persons.claimants(**number)) == 1


def test_every_path_hashes_the_password_once(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong code, a new account and a known phone each hash the password once."""
    # A wrong code, a new account and a phone with an account each hash the password once (the
    # slow step is on every path, so none is quicker to tell apart).
    hashed: list[str] = []
    real = sign_up_module.hash_password
    monkeypatch.setattr(sign_up_module, "hash_password", lambda p: hashed.append(p) or real(p))
    _start(container, KNOWN)
    with pytest.raises(NotAuthenticated):
        _finish(container, "000000" if last_code(container, KNOWN) != "000000" else "111111")
    _finish(container, last_code(container, KNOWN), phone=KNOWN)
    _start(container, KNOWN)
    _finish(container, last_code(container, KNOWN), phone=KNOWN, id_number=resident_id(9))
    assert len(hashed) == 3


def test_wrong_expired_used_and_missing_codes_get_the_same_refusal(
    container: Container, clock: FixedClock
) -> None:
    """No code sent, a wrong one, an expired one and one used already are one refusal."""
    refusals: list[str] = []

    def refused(code: str, **person: Any) -> None:
        with pytest.raises(NotAuthenticated) as caught:
            _finish(container, code, **person)
        refusals.append(str(caught.value))

    refused("123456", phone=UNKNOWN)  # never sent
    _start(container, KNOWN)
    code = last_code(container, KNOWN)
    refused(f"{(int(code) + 1) % 1_000_000:06d}", phone=KNOWN)  # wrong
    _finish(container, code, phone=KNOWN)
    refused(code, phone=KNOWN, id_number=resident_id(8))  # used
    _start(container, UNKNOWN)
    clock.advance(CODE_LIFETIME)
    refused(last_code(container, UNKNOWN), phone=UNKNOWN)  # expired
    assert set(refusals) == {CODE_REFUSED}
    assert _counts(container) == (1, 1)


def test_a_code_dies_after_its_attempts(container: Container) -> None:
    """After five wrong codes even the right one is refused; a new code works."""
    _start(container, KNOWN)
    code = last_code(container, KNOWN)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(CODE_ATTEMPTS):
        with pytest.raises(NotAuthenticated):
            _finish(container, wrong, phone=KNOWN)
    with pytest.raises(NotAuthenticated):
        _finish(container, code, phone=KNOWN)
    _start(container, KNOWN)
    _finish(container, last_code(container, KNOWN), phone=KNOWN)
    assert _counts(container) == (1, 1)


def test_parallel_sign_ups_with_the_right_code_use_it_once(container: Container) -> None:
    """Ten parallel sign-ups with one right code: one accepted, one person made."""
    # Ten parallel sign-ups with one right code: one is accepted, the others refused, and one
    # person is made.
    _start(container, KNOWN)
    code = last_code(container, KNOWN)
    addresses = iter(f"10.1.0.{n}" for n in range(10))
    outcomes = in_parallel(
        10, lambda: _finish(container, code, phone=KNOWN, address=next(addresses))
    )
    assert sum(o is None for o in outcomes) == 1
    assert all(isinstance(o, NotAuthenticated) for o in outcomes if o is not None)
    assert _counts(container) == (1, 1)


def test_parallel_wrong_codes_all_count(container: Container) -> None:
    """Forty parallel wrong codes all count: the right code is refused afterwards."""
    # Forty parallel wrong codes from forty addresses are each counted: the right code is
    # refused afterwards (no attempt slipped past the count).
    _start(container, KNOWN)
    code = last_code(container, KNOWN)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    addresses = iter(f"10.2.0.{n}" for n in range(40))
    outcomes = in_parallel(
        40, lambda: _finish(container, wrong, phone=KNOWN, address=next(addresses))
    )
    assert all(isinstance(o, NotAuthenticated) for o in outcomes)
    with pytest.raises(NotAuthenticated):
        _finish(container, code, phone=KNOWN, address="10.3.0.1")


def test_codes_are_throttled_per_phone_under_parallel_requests(container: Container) -> None:
    """Twenty parallel code requests for one phone: five codes sent, the rest 429."""
    # Twenty parallel requests for one phone from twenty addresses: five codes are sent, the
    # rest get 429, and the phone stays locked.
    addresses = iter(f"10.4.0.{n}" for n in range(20))
    outcomes = in_parallel(20, lambda: _start(container, KNOWN, next(addresses)))
    assert sum(o is None for o in outcomes) == CODES_PER_PHONE.most
    assert sum(isinstance(o, TooManyAttempts) for o in outcomes) == 20 - CODES_PER_PHONE.most
    assert len(texts_to(container, KNOWN)) == CODES_PER_PHONE.most
    with pytest.raises(TooManyAttempts):
        _start(container, KNOWN, "10.5.0.1")


def test_codes_are_throttled_per_address_under_parallel_requests(container: Container) -> None:
    """Thirty parallel requests from one address for thirty phones: twenty codes are sent."""
    phones = iter(f"1381112{n:04d}" for n in range(30))
    outcomes = in_parallel(30, lambda: _start(container, next(phones), "10.6.0.1"))
    assert sum(o is None for o in outcomes) == CODES_PER_ADDRESS.most
    assert sum(isinstance(o, TooManyAttempts) for o in outcomes) == 30 - CODES_PER_ADDRESS.most
    _start(container, UNKNOWN, "10.6.0.2")  # another address is not held up


def test_sign_ups_are_throttled_per_address(container: Container, clock: FixedClock) -> None:
    """Past 30 sign-up attempts from one address the right code gets 429, for an hour."""
    # Past thirty sign-up attempts from one address in an hour, the next is a 429 even with
    # the right code; an hour later it goes through.
    for _ in range(SIGN_UPS_PER_ADDRESS.most):
        with pytest.raises(NotAuthenticated):
            _finish(container, "000000", phone=UNKNOWN, address="10.7.0.1")
    _start(container, KNOWN, "10.7.0.2")
    with pytest.raises(TooManyAttempts):
        _finish(container, last_code(container, KNOWN), phone=KNOWN, address="10.7.0.1")
    clock.advance(SIGN_UPS_PER_ADDRESS.lock)
    _start(container, KNOWN, "10.7.0.2")
    _finish(container, last_code(container, KNOWN), phone=KNOWN, address="10.7.0.1")


def test_sign_up_refusals_over_http(client: TestClient, container: Container) -> None:
    """Over HTTP: a wrong code is 401, a missing one 422, a sixth code request 429."""
    # Over HTTP a wrong code is a 401 problem, a missing code a 422 naming it, and a sixth
    # code for one phone a 429 with Retry-After.
    client.post(START, json={"phone": KNOWN})
    wrong = client.post(SIGN_UP, json=sign_up_body(container, phone=KNOWN, code="000000"))
    if last_code(container, KNOWN) == "000000":  # one chance in a million
        wrong = client.post(SIGN_UP, json=sign_up_body(container, phone=KNOWN, code="111111"))
    assert wrong.status_code == 401 and wrong.json()["detail"] == CODE_REFUSED
    body = {**registration(phone=KNOWN), "password": PASSWORD}
    assert [e["field"] for e in client.post(SIGN_UP, json=body).json()["errors"]] == ["code"]
    for _ in range(CODES_PER_PHONE.most - 1):
        assert client.post(START, json={"phone": KNOWN}).status_code == 202
    throttled = client.post(START, json={"phone": KNOWN})
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0


def _other(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_wrong_code_is_answered_alike_whatever_is_registered(
    client: TestClient, container: Container
) -> None:
    """A wrong code for a registered phone and ID number gets the unregistered ones' answer."""
    website_sign_up(container, phone=KNOWN, id_number=resident_id(11))
    answers = []
    for phone, number in ((KNOWN, resident_id(11)), (UNKNOWN, resident_id(12))):
        client.post(START, json={"phone": phone})
        wrong = _other(last_code(container, phone))
        body = sign_up_body(container, phone=phone, id_number=number, code=wrong)
        answers.append(_answer(client.post(SIGN_UP, json=body)))
    assert answers[0] == answers[1]
    assert answers[0][0] == 401
