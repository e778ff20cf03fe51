"""Closing an account when the person leaves the city: after re-authentication, their personal
data is purged in one transaction (``ClosingRepository.purge_person``: name, ID number, phone,
address, logins, channel bindings, consents, staff listings, presences, check-ins and location
stays; and the free text of their appeals, an open one withdrawn) while what the city counts
stays under a subject no longer linked to anyone (facts, statuses and their changes, appeals'
turnaround, the access log). The identity is marked closed and can never log in again.

Re-authentication: on the website, the account's password again (a wrong one counts against
the phone like a failed login); through a channel, the channel's signed, single-use assertion
of this very request, which the channel gives only after its user has logged in to it."""

from __future__ import annotations

from healthcode.identity.model import IdentityState
from healthcode.identity.passwords import record_success, reserve_attempt, verify_password
from healthcode.identity.website import WEBSITE_CHANNEL
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotAuthenticated, NotFound
from healthcode.kernel.text import check_secret
from healthcode.oversight.access import Principal
from healthcode.rights.export import citizen_subject
from healthcode.rights.model import Purged
from healthcode.rights.ports import RightsUnitOfWork

REFUSED = "the password is not right"


def _reauthenticate(
    uow: RightsUnitOfWork, clock: Clock, subject: str, password: str | None
) -> None:
    """The website account's password, checked like a login (the attempt counted first)."""
    if password is None:
        raise InvalidInput.one("password", "is required: enter your password again to close")
    check_secret(password, field="password")
    with uow:
        person = uow.persons.get(subject)
        if person is None:
            raise NotFound("person", subject)
        identifier = f"citizen:{person.phone}"
        reserve_attempt(uow, identifier, clock.now())
        account = uow.accounts.by_phone(person.phone)
        uow.commit()  # the attempt counts before its password is checked
    hashed = None if account is None or account.subject != subject else account.password_hash
    if not verify_password(hashed, password):
        raise NotAuthenticated(REFUSED)
    with uow:
        record_success(uow, identifier)
        uow.commit()


def close_account(
    *, uow: RightsUnitOfWork, clock: Clock, principal: Principal, password: str | None = None
) -> Purged:
    """Purge the calling citizen's personal data and close their identity for good."""
    subject = citizen_subject(principal)
    if principal.channel == WEBSITE_CHANNEL:
        _reauthenticate(uow, clock, subject, password)
    with uow:
        if uow.persons.jurisdiction_of(subject) is None:
            raise NotFound("person", subject)
        purged = uow.closing.purge_person(subject)
        texts = uow.appeals.forget(subject, at=clock.now())
        uow.identity_events.add(
            subject=subject,
            state=IdentityState.CLOSED,
            at=clock.now(),
            channel_id=principal.channel,
            holder=None,
        )
        uow.commit()
    return Purged(
        presences=purged.presences,
        checkins=purged.checkins,
        logins=purged.logins,
        listings=purged.listings,
        appeal_texts=texts,
    )
