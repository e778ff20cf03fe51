"""A registered person and the masked view that others may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class Person:
    """A resident as registered. Personal fields are in clear here; storage encrypts them."""

    subject: str
    jurisdiction: str
    id_type: str
    id_number: str
    name: str
    phone: str
    address: str
    registered_at: datetime
    district: str | None = None  # GB/T 2260 code of the home district, when known


@dataclass(frozen=True, kw_only=True)
class Consent:
    """Consent to one purpose of data use, with when it was given (and withdrawn)."""

    purpose: str
    granted_at: datetime
    withdrawn_at: datetime | None = None

    def active_at(self, at: datetime) -> bool:
        return self.granted_at <= at and (self.withdrawn_at is None or at < self.withdrawn_at)


LOCATION_CONSENT_PURPOSE = "location_for_epidemic_control"
