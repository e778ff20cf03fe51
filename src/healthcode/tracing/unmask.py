"""Unmasking with a reason: an official tracing a case reveals a contact's phone number, for a
stated purpose, only for a person that case's tracing touched; audited, seen by the citizen.

Officials see phone numbers masked everywhere else (``identity.masks``). Here the whole number
is shown, so the use case checks the three things that make it proportionate: the case is in
the official's scope (else it is not found, as ``get_case``), the person has an exposure traced
from it that is not retracted (else refused), and a purpose is stated, which goes into the
access log entry the person sees (``GET /api/v1/me/access-log``)."""

from __future__ import annotations

from dataclasses import dataclass

from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotAllowed, NotFound
from healthcode.kernel.text import TextKind, normalise, text_problem
from healthcode.oversight.access import Action, Principal, Purpose
from healthcode.oversight.audit import record_access
from healthcode.oversight.authz import require
from healthcode.tracing.cases import visible_case
from healthcode.tracing.ports import TracingUnitOfWork

MIN_PURPOSE_LENGTH = 5
MAX_PURPOSE_LENGTH = 80  # the access log keeps what was read in 120 characters, purpose included
_WHAT = "phone number, unmasked: "


@dataclass(frozen=True, kw_only=True)
class RevealedPhone:
    case_id: str
    subject: str
    phone: str
    purpose: str


def _purpose(purpose: str) -> str:
    stated = normalise(purpose).strip()
    problem = text_problem(stated, TextKind.TEXT)
    if problem is None and not MIN_PURPOSE_LENGTH <= len(stated) <= MAX_PURPOSE_LENGTH:
        problem = f"must be {MIN_PURPOSE_LENGTH} to {MAX_PURPOSE_LENGTH} characters"
    if problem is not None:
        raise InvalidInput.one("purpose", problem)
    return stated


def reveal_phone(
    *,
    uow: TracingUnitOfWork,
    clock: Clock,
    principal: Principal,
    case_id: str,
    subject: str,
    purpose: str,
) -> RevealedPhone:
    """The phone number of a contact traced from ``case_id`` (a case in the official's scope),
    for the stated ``purpose``; the read is written to the access log with the purpose."""
    principal = require(principal, Action.REVEAL_CONTACT)
    stated = _purpose(purpose)
    with uow:
        visible_case(uow, principal, case_id)
        touched = any(
            d.subject == subject and d.kind == "exposure" and d.retracted_at is None
            for d in uow.tracing.derived_from(case_id)
        )
        if not touched:
            raise NotAllowed(
                Action.REVEAL_CONTACT.value, "the person is not a contact traced from this case"
            )
        person = uow.persons.get(subject)
        if person is None:
            raise NotFound("person", subject)
        record_access(
            uow,
            clock=clock,
            principal=principal,
            subject=subject,
            what=f"{_WHAT}{stated}",
            purpose=Purpose.UNMASK,
        )
        uow.commit()
    return RevealedPhone(case_id=case_id, subject=subject, phone=person.phone, purpose=stated)
