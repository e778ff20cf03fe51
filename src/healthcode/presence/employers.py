"""Employers: an organisation lists its staff by subject; a listed person consents (or not);
at its gates the organisation then learns pass or stop for consenting staff — nothing more
(no colour, no reason, no name, nothing about anyone else).

The gate asks through one of the organisation's checkpoint devices, with a request signed by
the device key (so only the organisation's own machines can ask, and only about its staff):

    {"device": "<16 hex>", "at": "2026-03-01T01:00:00Z", "subjects": ["…", …],
     "signature": "<base64url over CBOR ["healthcode staff check v1", device, at ms, subjects]>"}

``at`` must be within five minutes of the server's clock, so a captured request soon expires.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from healthcode.checkpoint.batches import b64, unb64
from healthcode.credentials.signer import load_public_key
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotFound, Problem
from healthcode.kernel.text import is_clean_line
from healthcode.kernel.times import RANGE_RULE, time_problem
from healthcode.oversight.access import Action
from healthcode.oversight.audit import (
    Reader,
    readable,
    record_device_reads,
    record_reader_reads,
    require_reader,
)
from healthcode.presence.checkins import CLOCK_SKEW
from healthcode.presence.model import StaffMember
from healthcode.presence.ports import PresenceUnitOfWork
from healthcode.presence.settings import accepted_colours
from healthcode.presence.venue_kinds import outcome_for
from healthcode.status.assessment import status_now

CONTEXT: Final = "healthcode staff check v1"
MAX_SUBJECTS: Final = 1_000
NOT_LISTED: Final = "not_listed"
STAFF_CHECK_WHAT: Final = "staff pass or stop"
STAFF_CHECK_PURPOSE: Final = "staff entrance check"


@dataclass(frozen=True, kw_only=True)
class Employment:
    organisation_id: str
    organisation_name: str
    state: str  # pending | active | withdrawn
    listed_at: datetime
    consented_at: datetime | None
    withdrawn_at: datetime | None


def _state(member: StaffMember) -> str:
    if member.withdrawn_at is not None:
        return "withdrawn"
    return "active" if member.consented_at is not None else "pending"


def list_staff_member(
    *, uow: PresenceUnitOfWork, clock: Clock, jurisdiction: str, organisation_id: str, subject: str
) -> StaffMember:
    """The organisation lists a person as staff; nothing is shared until the person consents."""
    now = clock.now()
    with uow:
        organisation = uow.venues.organisation(organisation_id)
        if organisation is None or organisation.jurisdiction != jurisdiction:
            raise NotFound("organisation", organisation_id)
        if uow.persons.jurisdiction_of(subject) is None:
            raise InvalidInput.one("subject", "is not a registered person")
        member = StaffMember(organisation_id=organisation_id, subject=subject, listed_at=now)
        held = uow.venues.staff_member(organisation_id, subject)
        if held is not None and held.withdrawn_at is None:
            return held
        uow.venues.save_staff_member(member)
        uow.commit()
    return member


def _employment(uow: PresenceUnitOfWork, member: StaffMember) -> Employment:
    organisation = uow.venues.organisation(member.organisation_id)
    return Employment(
        organisation_id=member.organisation_id,
        organisation_name="" if organisation is None else organisation.name,
        state=_state(member),
        listed_at=member.listed_at,
        consented_at=member.consented_at,
        withdrawn_at=member.withdrawn_at,
    )


def my_employers(*, uow: PresenceUnitOfWork, subject: str) -> list[Employment]:
    with uow:
        return [_employment(uow, m) for m in uow.venues.employers_of(subject)]


def answer_listing(
    *, uow: PresenceUnitOfWork, clock: Clock, subject: str, organisation_id: str, consent: bool
) -> Employment:
    """The person consents to (or withdraws from) an organisation's staff list."""
    now = clock.now()
    with uow:
        member = uow.venues.staff_member(organisation_id, subject)
        if member is None:
            raise NotFound("listing by organisation", organisation_id)
        if consent:
            if member.withdrawn_at is not None:
                raise InvalidInput.one(
                    "organisation", "you withdrew: the organisation must list you again"
                )
            member = replace(member, consented_at=member.consented_at or now)
        else:
            member = replace(member, withdrawn_at=member.withdrawn_at or now)
        uow.venues.save_staff_member(member)
        employment = _employment(uow, member)
        uow.commit()
    return employment


def staff_of(
    *, uow: PresenceUnitOfWork, clock: Clock, organisation_id: str, reader: Reader
) -> list[StaffMember]:
    """An organisation's staff list with each one's consent, for an official
    (``Action.READ_PERSON``: only the people within their scope) or the console operator:
    whether someone consented to an employer is theirs, so each person shown is recorded."""
    reader = require_reader(reader, Action.READ_PERSON) or reader
    with uow:
        found = uow.venues.staff_of(organisation_id)
        shown = set(readable(uow, reader, [m.subject for m in found]))
        members = [m for m in found if m.subject in shown]
        if record_reader_reads(
            uow,
            clock=clock,
            reader=reader,
            subjects=[m.subject for m in members],
            what="staff listing",
            action=Action.READ_PERSON,
        ):
            uow.commit()
    return members


def _signed_bytes(device: str, at: datetime, subjects: Sequence[str]) -> bytes:
    return cbor2.dumps(
        [CONTEXT, device, int(at.timestamp() * 1000), list(subjects)], canonical=True
    )


def sign_staff_check(
    device: str, subjects: Sequence[str], *, at: datetime, private_key: Ed25519PrivateKey
) -> dict[str, Any]:
    """The signed body of a staff check (what a gate device sends)."""
    return {
        "device": device,
        "at": at.astimezone(UTC).isoformat(),
        "subjects": list(subjects),
        "signature": b64(private_key.sign(_signed_bytes(device, at, subjects))),
    }


def _time(value: object) -> datetime | None:
    """A time with a zone within the range any input may name, or None."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if time_problem(moment) is None else None


@dataclass(frozen=True, kw_only=True)
class StaffCheck:
    """A gate's signed question: which of these subjects may pass, asked at ``at``."""

    device_id: str
    at: datetime
    subjects: list[str]
    signature: bytes


def _staff_check(request: Mapping[str, Any]) -> StaffCheck:
    """The request's fields, each that breaks a rule named (its signature is not checked)."""
    device_id, subjects = request.get("device"), request.get("subjects")
    problems: list[Problem] = []
    if not isinstance(device_id, str) or not is_clean_line(device_id) or len(device_id) > 64:
        problems.append(Problem("device", "must be a device id"))
    if (
        not isinstance(subjects, list)
        or not 0 < len(subjects) <= MAX_SUBJECTS
        or not all(isinstance(s, str) and is_clean_line(s) and len(s) <= 64 for s in subjects)
    ):
        problems.append(Problem("subjects", f"must be a list of 1 to {MAX_SUBJECTS} subject ids"))
    at = _time(request.get("at"))
    if at is None or at.tzinfo is None:
        problems.append(Problem("at", f"must be an ISO 8601 time with a zone; {RANGE_RULE}"))
    # each wrong field was named above
    if problems or not isinstance(device_id, str) or not isinstance(subjects, list) or at is None:
        raise InvalidInput(problems)
    signature = unb64(str(request.get("signature", "")), size=64, field="signature")
    return StaffCheck(device_id=device_id, at=at, subjects=subjects, signature=signature)


def check_staff(
    *, uow: PresenceUnitOfWork, clock: Clock, jurisdiction: str, request: Mapping[str, Any]
) -> dict[str, str]:
    """Pass or stop at the device's venue for each asked subject who is consenting staff of
    the venue's organisation; ``not_listed`` for anyone else (nothing else is revealed)."""
    check = _staff_check(request)
    device_id, at, subjects = check.device_id, check.at, check.subjects
    now = clock.now()
    if abs(now - at) > CLOCK_SKEW:
        raise InvalidInput.one("at", "is more than five minutes from the server's clock")
    answers: dict[str, str] = {}
    with uow:
        device = uow.venues.device(device_id)
        if device is None or not device.active:
            raise InvalidInput.one("device", f"{device_id} is not a registered device")
        try:
            load_public_key(device.public_key).verify(
                check.signature, _signed_bytes(device_id, at, subjects)
            )
        except InvalidSignature:
            raise InvalidInput.one("signature", "does not verify under the device's key") from None
        venue = uow.venues.venue(device.venue_id)
        if venue is None:  # a device's venue is never deleted
            raise NotFound("venue", device.venue_id)
        accepted = accepted_colours(uow.policies.active(jurisdiction), venue.kind)
        for subject in subjects:
            member = uow.venues.staff_member(venue.organisation_id, subject)
            if member is None or not member.active:
                answers[subject] = NOT_LISTED
                continue
            colour = status_now(uow, clock=clock, subject=subject).colour
            answers[subject] = outcome_for(colour, accepted)
        # a pass or stop tells the gate the person's colour: a read of their status
        record_device_reads(
            uow,
            clock=clock,
            device=device_id,
            subjects=[s for s, answer in answers.items() if answer != NOT_LISTED],
            what=STAFF_CHECK_WHAT,
            purpose=STAFF_CHECK_PURPOSE,
        )
        uow.commit()
    return answers
