"""Organisations, venues, checkpoint devices, check-ins and staff lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from healthcode.presence.venue_kinds import VenueKind


@dataclass(frozen=True, kw_only=True)
class Organisation:
    id: str
    name: str
    jurisdiction: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class Venue:
    id: str
    name_zh: str
    name_en: str
    kind: VenueKind
    lat: float
    lon: float
    cell: str
    organisation_id: str
    jurisdiction: str
    created_at: datetime
    code_issued_at: datetime
    place_code: str


@dataclass(frozen=True, kw_only=True)
class Device:
    id: str
    venue_id: str
    public_key: bytes
    registered_at: datetime
    active: bool = True
    revoked_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Checkin:
    id: str
    subject: str
    venue_id: str
    jurisdiction: str
    at: datetime
    lat: float
    lon: float
    distance_m: float
    flag: str | None
    state: str  # accepted | flagged | confirmed | rejected
    outcome: str  # pass | stop
    colour: str
    message: str
    presence_id: str | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class StaffMember:
    organisation_id: str
    subject: str
    listed_at: datetime
    consented_at: datetime | None = None
    withdrawn_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Listed, consented, and not withdrawn: only then may the organisation learn anything."""
        return self.consented_at is not None and self.withdrawn_at is None


class UnknownSubjects(Exception):
    """Raised by ``PresenceRepository.insert_rows`` when rows name people who are not
    registered; nothing of the call was stored. Carries those subjects."""

    def __init__(self, subjects: set[str]) -> None:
        super().__init__(f"{len(subjects)} unknown subject(s)")
        self.subjects = subjects
