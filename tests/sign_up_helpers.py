"""Signing up on the city website in tests: ask for a code, read it from the SMS file the test's
container writes to, and sign up with it (at the service level and through HTTP)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from factories import register, registration
from healthcode.container import Container
from healthcode.identity.claims import confirm_identity
from healthcode.identity.sign_up import SignUp, sign_up, start_sign_up
from healthcode.identity.sms import SmsFile
from healthcode.identity.texts import text_kind
from healthcode.identity.validation import validate_phone
from healthcode.jobs.model import JobKinds
from healthcode.jobs.queue import run_due
from identity_helpers import PASSWORD, ChannelKit

START = "/api/v1/website/sign-up/start"
SIGN_UP = "/api/v1/website/sign-up"
_CODE = re.compile(r"code is (\d{6})")


def send_texts(container: Container) -> int:
    """Run the queued text-message jobs due now (as a worker would); how many ran."""
    kinds = JobKinds([text_kind(container.sms)])
    ran = 0
    while outcomes := run_due(
        uow_factory=container.uow, clock=container.clock, kinds=kinds, worker="texts"
    ):
        ran += len(outcomes)
    return ran


def texts_to(container: Container, phone: str) -> list[str]:
    """The text messages sent to ``phone`` so far (queued ones sent first), oldest first."""
    send_texts(container)
    return [m["text"] for m in SmsFile(container.settings.sms_file).messages(phone)]


def last_code(container: Container, phone: str) -> str:
    """The newest sign-up code sent to ``phone``."""
    codes = [m.group(1) for t in texts_to(container, phone) if (m := _CODE.search(t))]
    assert codes, f"no code was sent to {phone}"
    return codes[-1]


def subject_of_phone(container: Container, phone: str) -> str:
    with container.uow() as uow:
        account = uow.accounts.by_phone(validate_phone(phone))
    assert account is not None, f"{phone} has no website account"
    return account.subject


def website_sign_up(
    container: Container, *, password: str = PASSWORD, address: str = "127.0.0.1", **person: Any
) -> str:
    """Sign up on the website as ``registration(**person)`` (both steps); the new subject."""
    details = register(**person)
    start_sign_up(
        uow=container.uow(),
        clock=container.clock,
        phone=details.phone,
        client_address=address,
    )
    sign_up(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        client_address=address,
        request=SignUp(person=details, password=password, code=last_code(container, details.phone)),
    )
    return subject_of_phone(container, details.phone)


def sign_up_body(container: Container, *, code: str | None = None, **person: Any) -> dict[str, Any]:
    """The step-2 body for ``registration(**person)``: the code last sent to its phone."""
    details = registration(**person)
    return {
        **details,
        "password": PASSWORD,
        "code": code if code is not None else last_code(container, details["phone"]),
    }


def http_sign_up(client: TestClient, container: Container, **person: Any) -> str:
    """Both steps over HTTP, then the new subject."""
    phone = registration(**person)["phone"]
    started = client.post(START, json={"phone": phone})
    assert started.status_code == 202, started.text
    done = client.post(SIGN_UP, json=sign_up_body(container, **person))
    assert done.status_code == 202, done.text
    return subject_of_phone(container, phone)


def confirm_identity_through(
    container: Container, kit: ChannelKit, *, user_id: str, phone: str, id_number: str
) -> str:
    """The channel confirms the website account of ``phone`` with a fresh face check naming
    ``id_number``; the confirmed subject."""
    now = container.clock.now()
    return confirm_identity(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        channel_id=kit.id,
        assertion=kit.assertion(user_id=user_id, now=now, face_checked_at=now, id_number=id_number),
        phone=phone,
    ).subject
