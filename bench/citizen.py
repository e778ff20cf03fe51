"""A website citizen for the benchmarks, made through the use cases as the website would make
one: the sign-up code is sent (the text-message job run here) and read back from the SMS file,
the account signed up with it, and the identity marked verified, as a channel's face check
would confirm it (codes are withheld until then)."""

from __future__ import annotations

import re

from healthcode.container import Container
from healthcode.identity.model import IdentityState
from healthcode.identity.registration import Register
from healthcode.identity.sign_up import SignUp, sign_up, start_sign_up
from healthcode.identity.sms import SmsFile
from healthcode.identity.texts import text_kind
from healthcode.jobs.model import JobKinds
from healthcode.jobs.queue import run_due

PASSWORD = "correct horse battery"  # noqa: S105 - a scratch citizen's password
PERSON = Register(
    name="张三丰",
    id_type="resident",
    id_number="11010519491231002X",
    phone="13812341234",
    address="杭州市西湖区文三路1号",
    consent_location=True,
)
LOGIN = {"phone": PERSON.phone, "password": PASSWORD}
"""The body of `POST /api/v1/website/login` for the citizen."""


def make_citizen(container: Container) -> str:
    """A verified website account for PERSON with PASSWORD (the container's SMS port must be
    the SMS file, as without a gateway); its subject."""
    start_sign_up(
        uow=container.uow(), clock=container.clock, phone=PERSON.phone, client_address=None
    )
    while run_due(
        uow_factory=container.uow,
        clock=container.clock,
        kinds=JobKinds([text_kind(container.sms)]),
        worker="bench",
    ):
        pass
    (text,) = [m["text"] for m in SmsFile(container.settings.sms_file).messages(PERSON.phone)]
    found = re.search(r"code is (\d{6})", text)
    assert found is not None, "the text message carries no sign-up code"
    sign_up(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        client_address=None,
        request=SignUp(person=PERSON, password=PASSWORD, code=found.group(1)),
    )
    with container.uow() as uow:
        account = uow.accounts.by_phone(PERSON.phone)
        assert account is not None
        uow.persons.set_identity(account.subject, IdentityState.VERIFIED)
        uow.commit()
    return account.subject
