"""What a citizen gets of their data, and what closing their account purged. Pure model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from healthcode.appeals.model import Appeal
from healthcode.identity.model import Consent, IdentityState, Person
from healthcode.kernel.facts import Fact
from healthcode.kernel.status import Status
from healthcode.oversight.audit_chain import AccessRecord
from healthcode.presence.model import Checkin, StaffMember
from healthcode.status.model import StatusChange
from healthcode.tracing.model.derived import TracedFact


@dataclass(frozen=True, kw_only=True)
class MyData:
    """Everything held about one person, as of ``exported_at``: their registration (in clear:
    it is theirs), consents and identity checks, every recorded fact but exposures (given as
    tracing tells them, never naming the case), their status and its history, check-ins,
    staff listings, appeals, and who read their data."""

    exported_at: datetime
    person: Person
    consents: Sequence[Consent]
    identity_events: Sequence[tuple[IdentityState, datetime, str | None]]
    facts: Sequence[Fact]
    exposures: Sequence[TracedFact]
    status: Status
    history: Sequence[StatusChange]
    checkins: Sequence[Checkin]
    employers: Sequence[StaffMember]
    appeals: Sequence[Appeal]
    access_log: Sequence[AccessRecord]


@dataclass(frozen=True)
class Purged:
    """How many rows closing an account deleted or blanked, by kind."""

    presences: int = 0
    checkins: int = 0
    logins: int = 0  # website account, sessions and channel bindings
    listings: int = 0  # staff listings and consents
    appeal_texts: int = 0
