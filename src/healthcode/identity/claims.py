"""Who holds an ID number: website claims, confirmed or taken back through a channel.

An ID number typed on the website is a claim (``IdentityState.UNVERIFIED``): it blocks no one
and earns no code (``identity_notice``). A channel confirms it with a face-checked assertion
that names the ID its check matched (``confirm_identity``): the person is verified, the
channel's user bound to them, and every other claim of that number is taken back. A person
registered verified (an operator, a channel) takes the number back from claimants likewise.
Each change is written to ``identity_events`` and logged."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from healthcode.identity.assertions import (
    AssertionClaims,
    note_face_check,
    verify_channel_assertion,
)
from healthcode.identity.model import VERIFIED_FOR_ANOTHER, Channel, IdentityState, Person
from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.identity.validation import IdType, validate_id_number, validate_phone
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from healthcode.kernel.regions import local_date
from healthcode.kernel.status import Notice
from healthcode.kernel.text import TextKind, clean_text

log = logging.getLogger(__name__)

FACE_CHECK_MAX_AGE = timedelta(minutes=15)
UNVERIFIED_NOTICE = "identity-unverified"
TAKEN_BACK_NOTICE = "identity-taken-back"


def identity_notice(person: Person) -> Notice | None:
    """The notice that withholds the code of a person whose ID number is not verified: a code
    shows a name and vouches for a colour, and an unproven identity would let anyone start a
    clean record under a new ID number."""
    if person.identity is IdentityState.VERIFIED:
        return None
    taken = person.identity is IdentityState.TAKEN_BACK
    return Notice(
        notice_id=TAKEN_BACK_NOTICE if taken else UNVERIFIED_NOTICE,
        text={
            "zh": "该证件号已由他人核验，此账户不再持有" if taken else "身份尚未核验",
            "en": "The ID number was verified for someone else and taken back from this account"
            if taken
            else "Your identity is not verified yet",
        },
        fact_ids=(),
        since=person.registered_at,
        blocks_code=True,
        clears_when={
            "zh": "请联系工作人员" if taken else "在合作应用中完成人脸核验后恢复",
            "en": "Ask an official" if taken else "Shown after a face check in a partner app",
        },
    )


def take_back_claims(
    uow: IdentityUnitOfWork, *, clock: Clock, holder: Person, channel_id: str | None
) -> list[str]:
    """Take the holder's ID number back from everyone else who only claimed it, inside the
    caller's transaction; the subjects it was taken from."""
    claimants = uow.persons.claimants(
        jurisdiction=holder.jurisdiction, id_type=holder.id_type, id_number=holder.id_number
    )
    return _take_back(uow, clock=clock, holder=holder, claimants=claimants, channel_id=channel_id)


def take_back_claims_of(
    uow: IdentityUnitOfWork, *, clock: Clock, holders: Sequence[Person]
) -> None:
    """``take_back_claims`` for many people just registered verified in one jurisdiction (no
    channel), in order, the claims read in one go."""
    if not holders:
        return
    claims = uow.persons.claimants_of(
        jurisdiction=holders[0].jurisdiction,
        numbers=[(h.id_type, h.id_number) for h in holders],
    )
    for holder in holders:
        claimants = claims.get((holder.id_type, holder.id_number), [])
        _take_back(uow, clock=clock, holder=holder, claimants=claimants, channel_id=None)


def _take_back(
    uow: IdentityUnitOfWork,
    *,
    clock: Clock,
    holder: Person,
    claimants: Sequence[str],
    channel_id: str | None,
) -> list[str]:
    taken = [subject for subject in claimants if subject != holder.subject]
    for subject in taken:
        uow.persons.set_identity(subject, IdentityState.TAKEN_BACK)
        uow.identity_events.add(
            subject=subject,
            state=IdentityState.TAKEN_BACK,
            at=clock.now(),
            channel_id=channel_id,
            holder=holder.subject,
        )
        log.warning(
            "identity claim taken back: %s had claimed the ID number verified for %s",
            subject,
            holder.subject,
        )
    return taken


@dataclass(frozen=True)
class IdentityConfirmed:
    subject: str
    taken_back: tuple[str, ...]


def _asserted_id(claims: AssertionClaims, *, clock: Clock, jurisdiction: str) -> tuple[str, str]:
    """The ID type and normalised number a fresh face check vouches for."""
    checked = claims.face_checked_at
    if checked is None or checked < clock.now() - FACE_CHECK_MAX_AGE:
        raise NotAuthenticated(
            f"confirming an identity needs a face check in the last {FACE_CHECK_MAX_AGE}"
        )
    if claims.id_number is None or claims.id_type is None:
        raise NotAuthenticated("the assertion names no id_number")
    try:
        kind = IdType(claims.id_type)
        number = validate_id_number(
            kind, claims.id_number, today=local_date(clock.now(), jurisdiction)
        )
    except (ValueError, InvalidInput):
        raise NotAuthenticated("the assertion's id_type or id_number is not valid") from None
    return kind.value, number


def _account_holder(
    uow: IdentityUnitOfWork, channel: Channel, claims: AssertionClaims, phone: str
) -> str:
    """The person the channel's user is bound to, else the one whose website account is
    ``phone``."""
    bound = uow.channels.subject_for(channel_id=channel.id, channel_user_id=claims.channel_user_id)
    if bound is not None:
        return bound
    account = uow.accounts.by_phone(phone)
    if account is None:
        raise NotFound("website account", "for this phone")
    return account.subject


def confirm_identity(
    *,
    uow: IdentityUnitOfWork,
    clock: Clock,
    jurisdiction: str,
    channel_id: str,
    assertion: str,
    phone: str,
) -> IdentityConfirmed:
    """A channel confirms the identity of a website account (``phone``) or of its own bound
    user with a face-checked assertion naming the ID number: the person becomes verified,
    the channel's user is bound to them, and other claims of the number are taken back.

    ``NotAuthenticated`` for a bad or stale assertion, ``NotFound`` when no account is found,
    ``Conflict`` when the assertion's ID is not the one the account claimed or is already
    verified for another person (an official sorts that out)."""
    phone = validate_phone(clean_text(phone, field="phone", kind=TextKind.IDENTIFIER))
    with uow:
        channel, claims = verify_channel_assertion(
            uow, clock=clock, channel_id=channel_id, assertion=assertion, jurisdiction=jurisdiction
        )
        id_type, id_number = _asserted_id(claims, clock=clock, jurisdiction=jurisdiction)
        subject = _account_holder(uow, channel, claims, phone)
        person = uow.persons.get(subject)
        if person is None or (person.id_type, person.id_number) != (id_type, id_number):
            raise Conflict("assertion", "vouches for another ID number than the account claims")
        holder = uow.persons.subject_for_id_number(
            jurisdiction=person.jurisdiction, id_type=id_type, id_number=id_number
        )
        if holder is not None and holder != subject:
            raise Conflict("id_number", VERIFIED_FOR_ANOTHER)
        taken: list[str] = []
        if person.identity is not IdentityState.VERIFIED:
            uow.persons.set_identity(subject, IdentityState.VERIFIED)
            uow.identity_events.add(
                subject=subject,
                state=IdentityState.VERIFIED,
                at=clock.now(),
                channel_id=channel.id,
                holder=None,
            )
            taken = take_back_claims(uow, clock=clock, holder=person, channel_id=channel.id)
        bound = uow.channels.subject_for(
            channel_id=channel.id, channel_user_id=claims.channel_user_id
        )
        if bound is None:
            uow.channels.bind(
                channel_id=channel.id,
                channel_user_id=claims.channel_user_id,
                subject=subject,
                bound_at=clock.now(),
            )
        note_face_check(uow, clock=clock, subject=subject, claims=claims)
        uow.commit()
    return IdentityConfirmed(subject=subject, taken_back=tuple(taken))
