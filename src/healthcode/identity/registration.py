"""Registering a citizen: validated, encrypted, one transaction.

Three ways in: an operator at the console (`healthcode register`) and a channel that vouches for
its user with a signed assertion register a *verified* person; sign-up on the city website
(``identity.sign_up``) registers an *unverified* claim until a channel confirms it
(``identity.claims``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from healthcode.identity.assertions import note_face_check, verify_channel_assertion
from healthcode.identity.claims import take_back_claims, take_back_claims_of
from healthcode.identity.model import LOCATION_CONSENT_PURPOSE, Consent, IdentityState, Person
from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.identity.validation import IdType, validate_id_number, validate_phone
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput, Problem
from healthcode.kernel.ids import new_id
from healthcode.kernel.regions import contains, is_region_code, local_date
from healthcode.kernel.text import TextKind, normalise, text_problem
from healthcode.oversight.instance import require_collecting
from healthcode.status.assessment import refresh_status
from healthcode.status.batch import refresh_many

REGISTERED = "registered"
MAX_NAME_LENGTH = 64
MAX_ADDRESS_LENGTH = 200


@dataclass(frozen=True, kw_only=True)
class Register:
    """What a person registers with, as entered: the same whether an operator, a channel or
    the website registers them (``validate_registration`` checks every field)."""

    name: str
    id_type: str
    id_number: str
    phone: str
    address: str
    consent_location: bool
    district: str | None = None


@dataclass(frozen=True)
class Registered:
    subject: str


def _text(value: str, field: str, most: int, problems: list[Problem]) -> str:
    """``value`` in NFC with its spaces collapsed; a problem when it breaks the text rule of
    one-line names (no control characters such as NUL or a line break, no bidirectional
    controls, no lone surrogates), is empty or is too long."""
    clean = normalise(value)
    problem = text_problem(clean, TextKind.NAME)
    if problem is not None:
        problems.append(Problem(field, problem))
        return ""
    clean = " ".join(clean.split())
    if not clean:
        problems.append(Problem(field, "must not be empty"))
    elif len(clean) > most:
        problems.append(Problem(field, f"must be at most {most} characters"))
    return clean


def _id_number(person: Register, today: date, problems: list[Problem]) -> tuple[IdType, str]:
    """The ID type and the normalised number (a problem for each that breaks a rule);
    ``today`` is the jurisdiction's calendar day, which bounds a birth date."""
    try:
        kind = IdType(person.id_type)
    except ValueError:
        allowed = ", ".join(t.value for t in IdType)
        problems.append(Problem("id_type", f"must be one of {allowed}"))
        return IdType.RESIDENT, ""
    try:
        return kind, validate_id_number(kind, person.id_number, today=today)
    except InvalidInput as refused:
        problems.extend(refused.problems)
        return kind, ""


def _validate(person: Register, *, today: date) -> tuple[IdType, str, str, str, str]:
    problems: list[Problem] = []
    clean_name = _text(person.name, "name", MAX_NAME_LENGTH, problems)
    clean_address = _text(person.address, "address", MAX_ADDRESS_LENGTH, problems)
    kind, number = _id_number(person, today, problems)
    clean_phone = ""
    try:
        clean_phone = validate_phone(person.phone)
    except InvalidInput as refused:
        problems.extend(refused.problems)
    if person.district and not is_region_code(person.district):
        problems.append(_BAD_DISTRICT)
    if problems:
        raise InvalidInput(problems)
    return kind, number, clean_name, clean_phone, clean_address


@dataclass(frozen=True)
class ValidRegistration:
    """Registration input after every rule passed, normalised."""

    id_type: IdType
    id_number: str
    name: str
    phone: str
    address: str
    consent_location: bool
    district: str | None = None


def validate_registration(
    person: Register, *, clock: Clock, jurisdiction: str
) -> ValidRegistration:
    """Check every field; ``InvalidInput`` names each one that breaks a rule. A birth date is
    checked against the calendar day in the jurisdiction's time zone (before 08:00 in China it
    is already tomorrow's UTC date there)."""
    today = local_date(clock.now(), jurisdiction)
    kind, number, clean_name, clean_phone, clean_address = _validate(person, today=today)
    return ValidRegistration(
        kind,
        number,
        clean_name,
        clean_phone,
        clean_address,
        person.consent_location,
        person.district or None,
    )


_BAD_DISTRICT = Problem("district", "must be a GB/T 2260 six-digit district code")


def _new_person(
    valid: ValidRegistration,
    *,
    jurisdiction: str,
    registered_at: datetime,
    identity: IdentityState,
) -> Person:
    """The person a validated registration makes, with a new subject id."""
    return Person(
        subject=new_id(),
        jurisdiction=jurisdiction,
        id_type=valid.id_type.value,
        id_number=valid.id_number,
        name=valid.name,
        phone=valid.phone,
        address=valid.address,
        registered_at=registered_at,
        district=valid.district,
        identity=identity,
    )


def add_person(
    uow: IdentityUnitOfWork,
    *,
    clock: Clock,
    jurisdiction: str,
    valid: ValidRegistration,
    identity: IdentityState = IdentityState.VERIFIED,
    assess: bool = True,
) -> Person:
    """Add a validated person inside the caller's transaction.

    A verified person is refused when the ID number is already verified in the jurisdiction,
    and takes the number back from everyone who only claimed it. An unverified claim (the
    website) checks nothing about the number: it blocks no one, and tells nothing."""
    require_collecting(uow)
    now = clock.now()
    if valid.district is not None and not contains(jurisdiction, valid.district):
        raise InvalidInput.one("district", f"{valid.district} is not inside {jurisdiction}")
    verified = identity is IdentityState.VERIFIED
    if verified and uow.persons.subject_for_id_number(
        jurisdiction=jurisdiction, id_type=valid.id_type.value, id_number=valid.id_number
    ):
        raise Conflict("id_number", "is already registered in this jurisdiction")
    person = _new_person(valid, jurisdiction=jurisdiction, registered_at=now, identity=identity)
    uow.persons.add(person)
    if verified:
        take_back_claims(uow, clock=clock, holder=person, channel_id=None)
    if valid.consent_location:
        uow.persons.add_consent(
            person.subject, Consent(purpose=LOCATION_CONSENT_PURPOSE, granted_at=now)
        )
    if assess:  # else the caller assesses (``register_people``: everyone at once)
        refresh_status(uow, clock=clock, subject=person.subject, cause=REGISTERED)
    return person


def register_person(
    *, uow: IdentityUnitOfWork, clock: Clock, jurisdiction: str, person: Register
) -> Registered:
    """Register a resident (an operator at the console); refuse bad input naming each field,
    and a second registration of the same ID number in the jurisdiction."""
    valid = validate_registration(person, clock=clock, jurisdiction=jurisdiction)
    with uow:
        added = add_person(uow, clock=clock, jurisdiction=jurisdiction, valid=valid)
        uow.commit()
    return Registered(subject=added.subject)


MAX_BATCH = 1_000
"""People registered in one ``register_people`` call (one transaction)."""


def register_people(
    *, uow: IdentityUnitOfWork, clock: Clock, jurisdiction: str, people: Sequence[Register]
) -> list[Registered]:
    """Register many residents in one transaction (an operator's bulk import, the simulator's
    city): each checked and added as ``register_person`` does, all or nothing; a bad field is
    named by its item (``people[3].phone``), as is an ID number given twice in the batch."""
    if not people:
        raise InvalidInput.one("people", "the batch is empty")
    if len(people) > MAX_BATCH:
        raise InvalidInput.one("people", f"at most {MAX_BATCH} people in one batch")
    problems: list[Problem] = []
    valid: list[ValidRegistration] = []
    seen: dict[tuple[str, str], int] = {}
    for i, person in enumerate(people):
        try:
            one = validate_registration(person, clock=clock, jurisdiction=jurisdiction)
        except InvalidInput as refused:
            problems += [Problem(f"people[{i}].{p.field}", p.message) for p in refused.problems]
            continue
        key = (one.id_type.value, one.id_number)
        if key in seen:
            problems.append(Problem(f"people[{i}].id_number", f"repeats people[{seen[key]}]"))
        seen.setdefault(key, i)
        valid.append(one)
    if problems:
        raise InvalidInput(problems)
    with uow:
        added = add_people(uow, clock=clock, jurisdiction=jurisdiction, valid=valid)
        refresh_many(uow, clock=clock, causes={a.subject: REGISTERED for a in added})
        uow.commit()
    return [Registered(subject=a.subject) for a in added]


def add_people(
    uow: IdentityUnitOfWork,
    *,
    clock: Clock,
    jurisdiction: str,
    valid: Sequence[ValidRegistration],
) -> list[Person]:
    """``add_person`` of many verified people (their ID numbers all different) inside the
    caller's transaction, with the same checks, the same first error and the same rows, in a
    few statements: the people, their consents and the claims taken back each written in one
    go. The caller assesses them."""
    require_collecting(uow)
    now = clock.now()
    held = uow.persons.verified_holders(
        jurisdiction=jurisdiction, numbers=[(v.id_type.value, v.id_number) for v in valid]
    )
    people: list[Person] = []
    for v in valid:
        if v.district is not None and not contains(jurisdiction, v.district):
            raise InvalidInput.one("district", f"{v.district} is not inside {jurisdiction}")
        if (v.id_type.value, v.id_number) in held:
            raise Conflict("id_number", "is already registered in this jurisdiction")
        people.append(
            _new_person(
                v, jurisdiction=jurisdiction, registered_at=now, identity=IdentityState.VERIFIED
            )
        )
    uow.persons.add_many(people)
    take_back_claims_of(uow, clock=clock, holders=people)
    consent = Consent(purpose=LOCATION_CONSENT_PURPOSE, granted_at=now)
    uow.persons.add_consents(
        {p.subject: consent for p, v in zip(people, valid, strict=True) if v.consent_location}
    )
    return people


def register_through_channel(
    *,
    uow: IdentityUnitOfWork,
    clock: Clock,
    jurisdiction: str,
    channel_id: str,
    assertion: str,
    person: Register,
) -> Registered:
    """A channel registers its user: the person is added, the channel's user id (the
    assertion's ``sub``) is bound to the new subject, and the face check it vouches for is
    recorded — all in one transaction."""
    valid = validate_registration(person, clock=clock, jurisdiction=jurisdiction)
    with uow:
        channel, claims = verify_channel_assertion(
            uow, clock=clock, channel_id=channel_id, assertion=assertion, jurisdiction=jurisdiction
        )
        if uow.channels.subject_for(channel_id=channel.id, channel_user_id=claims.channel_user_id):
            raise Conflict("assertion", "this channel user is already registered")
        added = add_person(uow, clock=clock, jurisdiction=jurisdiction, valid=valid)
        uow.channels.bind(
            channel_id=channel.id,
            channel_user_id=claims.channel_user_id,
            subject=added.subject,
            bound_at=clock.now(),
        )
        note_face_check(uow, clock=clock, subject=added.subject, claims=claims)
        uow.commit()
    return Registered(subject=added.subject)
