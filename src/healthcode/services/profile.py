"""What a person may see of their own registration: masked, never the clear values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from healthcode.domain.errors import NotFound
from healthcode.domain.identity import mask_id_number, mask_name, mask_phone
from healthcode.domain.person import LOCATION_CONSENT_PURPOSE
from healthcode.services.ports import UnitOfWork


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

    @property
    def location_consent(self) -> bool:
        return LOCATION_CONSENT_PURPOSE in self.consents


def show_profile(*, uow: UnitOfWork, subject: str) -> MaskedProfile:
    """The person's registration with name, ID number and phone masked."""
    with uow:
        person = uow.persons.get(subject)
        if person is None:
            raise NotFound("person", subject)
        consents = tuple(c.purpose for c in uow.persons.consents(subject) if c.withdrawn_at is None)
    return MaskedProfile(
        subject=person.subject,
        jurisdiction=person.jurisdiction,
        id_type=person.id_type,
        name=mask_name(person.name),
        id_number=mask_id_number(person.id_number),
        phone=mask_phone(person.phone),
        registered_at=person.registered_at,
        consents=consents,
    )


def authenticate_dev_token(*, uow: UnitOfWork, token_hash: str) -> str | None:
    """The subject a development bearer token belongs to, if any."""
    with uow:
        return uow.tokens.subject_for(token_hash)
