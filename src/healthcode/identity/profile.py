"""A person's registration, masked, never the clear values: for the person themself, or for an
official acting for epidemic control (that read is written to the access log)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from healthcode.identity.masks import mask_id_number, mask_name, mask_phone
from healthcode.identity.model import LOCATION_CONSENT_PURPOSE
from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import NotFound
from healthcode.oversight.access import Action, Principal, Purpose
from healthcode.oversight.audit import record_access
from healthcode.oversight.authz import require, require_person_scope


@dataclass(frozen=True, kw_only=True)
class MaskedProfile:
    subject: str
    jurisdiction: str
    id_type: str
    name: str
    id_number: str
    phone: str
    registered_at: datetime
    consents: tuple[str, ...]
    identity: str

    @property
    def location_consent(self) -> bool:
        return LOCATION_CONSENT_PURPOSE in self.consents


def show_profile(
    *,
    uow: IdentityUnitOfWork,
    clock: Clock,
    principal: Principal,
    subject: str,
    purpose: Purpose | None = None,
) -> MaskedProfile:
    """The person's registration with name, ID number and phone masked.

    Anyone but the person must be allowed to read people (``Action.READ_PERSON``) for the
    purpose, within their jurisdiction; their read is audited in the same transaction."""
    own = principal.is_person(subject)
    if not own:
        principal = require(principal, Action.READ_PERSON, purpose)
    with uow:
        person = uow.persons.get(subject)
        if person is None:
            raise NotFound("person", subject)
        consents = tuple(c.purpose for c in uow.persons.consents(subject) if c.withdrawn_at is None)
        if not own:
            require_person_scope(
                principal,
                jurisdiction=person.jurisdiction,
                district=person.district,
                action=Action.READ_PERSON,
            )
            record_access(
                uow,
                clock=clock,
                principal=principal,
                subject=subject,
                what="profile",
                purpose=principal.purpose,
            )
            uow.commit()
    return MaskedProfile(
        subject=person.subject,
        jurisdiction=person.jurisdiction,
        id_type=person.id_type,
        name=mask_name(person.name),
        id_number=mask_id_number(person.id_number),
        phone=mask_phone(person.phone),
        registered_at=person.registered_at,
        consents=consents,
        identity=person.identity.value,
    )
