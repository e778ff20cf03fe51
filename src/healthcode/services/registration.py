"""Registering a citizen: validated, encrypted, one transaction."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from healthcode.domain.errors import Conflict, InvalidInput, Problem
from healthcode.domain.identity import IdType, validate_id_number, validate_phone
from healthcode.domain.person import LOCATION_CONSENT_PURPOSE, Consent, Person
from healthcode.services.ids import new_id
from healthcode.services.ports import Clock, UnitOfWork
from healthcode.services.status import refresh_status

MAX_NAME_LENGTH = 64
MAX_ADDRESS_LENGTH = 200


@dataclass(frozen=True)
class Registered:
    subject: str
    token: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _validate(
    *, name: str, id_type: str, id_number: str, phone: str, address: str, clock: Clock
) -> tuple[IdType, str, str, str, str]:
    problems: list[Problem] = []
    clean_name = " ".join(name.split())
    if not clean_name:
        problems.append(Problem("name", "must not be empty"))
    elif len(clean_name) > MAX_NAME_LENGTH:
        problems.append(Problem("name", f"must be at most {MAX_NAME_LENGTH} characters"))
    clean_address = " ".join(address.split())
    if not clean_address:
        problems.append(Problem("address", "must not be empty"))
    elif len(clean_address) > MAX_ADDRESS_LENGTH:
        problems.append(Problem("address", f"must be at most {MAX_ADDRESS_LENGTH} characters"))
    kind: IdType | None = None
    try:
        kind = IdType(id_type)
    except ValueError:
        allowed = ", ".join(t.value for t in IdType)
        problems.append(Problem("id_type", f"must be one of {allowed}"))
    number = ""
    if kind is not None:
        try:
            number = validate_id_number(kind, id_number, today=clock.now().date())
        except InvalidInput as refused:
            problems.extend(refused.problems)
    clean_phone = ""
    try:
        clean_phone = validate_phone(phone)
    except InvalidInput as refused:
        problems.extend(refused.problems)
    if problems or kind is None:
        raise InvalidInput(problems)
    return kind, number, clean_name, clean_phone, clean_address


def register_person(
    *,
    uow: UnitOfWork,
    clock: Clock,
    jurisdiction: str,
    name: str,
    id_type: str,
    id_number: str,
    phone: str,
    address: str,
    consent_location: bool,
) -> Registered:
    """Register a resident; refuse bad input naming each field, and a second registration of
    the same ID number in the jurisdiction. Issues a development bearer token."""
    kind, number, clean_name, clean_phone, clean_address = _validate(
        name=name, id_type=id_type, id_number=id_number, phone=phone, address=address, clock=clock
    )
    now = clock.now()
    with uow:
        existing = uow.persons.subject_for_id_number(
            jurisdiction=jurisdiction, id_type=kind.value, id_number=number
        )
        if existing is not None:
            raise Conflict("id_number", "is already registered in this jurisdiction")
        person = Person(
            subject=new_id(),
            jurisdiction=jurisdiction,
            id_type=kind.value,
            id_number=number,
            name=clean_name,
            phone=clean_phone,
            address=clean_address,
            registered_at=now,
        )
        uow.persons.add(person)
        if consent_location:
            uow.persons.add_consent(
                person.subject, Consent(purpose=LOCATION_CONSENT_PURPOSE, granted_at=now)
            )
        refresh_status(uow=uow, clock=clock, subject=person.subject, cause="registered")
        token = secrets.token_urlsafe(32)
        uow.tokens.add(token_hash=hash_token(token), subject=person.subject, issued_at=now)
        uow.commit()
    return Registered(subject=person.subject, token=token)
