"""Bodies of the citizen-rights routes: the export of all one's data, and closing one's
account."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from healthcode.api.types import Secret
from healthcode.appeals.schemas import AppealOut
from healthcode.oversight.schemas import AccessRecordOut
from healthcode.rights.model import MyData, Purged
from healthcode.status.schemas import StatusChangeOut, StatusOut


class IdentityOut(BaseModel):
    subject: str
    jurisdiction: str
    district: str | None
    id_type: str
    id_number: str
    name: str
    phone: str
    address: str
    registered_at: datetime
    identity: str


class ExportOut(BaseModel):
    """Everything held about you. Exposures say where and when, never who the case was."""

    exported_at: datetime
    identity: IdentityOut
    consents: list[dict[str, Any]]
    identity_events: list[dict[str, Any]] = Field(description="How your identity was proven")
    facts: list[dict[str, Any]] = Field(
        description="Declarations, test results, arrivals, presences and location stays, cases, "
        "manual colours and releases, as recorded (corrections and retractions included)"
    )
    exposures: list[dict[str, Any]] = Field(description="What contact tracing recorded")
    status: StatusOut
    status_history: list[StatusChangeOut]
    checkins: list[dict[str, Any]]
    employers: list[dict[str, Any]]
    appeals: list[AppealOut]
    access_log: list[AccessRecordOut] = Field(description="Who else read your data, and why")

    @classmethod
    def of(cls, data: MyData, lang: str) -> ExportOut:
        person, now = data.person, data.exported_at
        return cls(
            exported_at=now,
            identity=IdentityOut(
                subject=person.subject,
                jurisdiction=person.jurisdiction,
                district=person.district,
                id_type=person.id_type,
                id_number=person.id_number,
                name=person.name,
                phone=person.phone,
                address=person.address,
                registered_at=person.registered_at,
                identity=person.identity.value,
            ),
            consents=[dataclasses.asdict(c) for c in data.consents],
            identity_events=[
                {"state": state.value, "at": at, "holder": holder}
                for state, at, holder in data.identity_events
            ],
            facts=[f.data() for f in data.facts],
            exposures=[dataclasses.asdict(e) for e in data.exposures],
            status=StatusOut.of(data.status, lang),
            status_history=[StatusChangeOut.of(c, lang) for c in data.history],
            checkins=[dataclasses.asdict(c) for c in data.checkins],
            employers=[dataclasses.asdict(e) for e in data.employers],
            appeals=[AppealOut.of(a, now) for a in data.appeals],
            access_log=[
                AccessRecordOut(
                    seq=r.seq, at=r.at, actor=r.actor, role=r.role, purpose=r.purpose, what=r.what
                )
                for r in data.access_log
            ],
        )


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirm: Literal[True] = Field(description="true: you understand that closing cannot be undone")
    password: Secret | None = Field(
        default=None, description="On the website: your password again (through a channel, none)"
    )


class ClosedOut(BaseModel):
    """What was purged. Your subject id no longer logs in."""

    closed: bool = True
    presences: int
    checkins: int
    logins: int
    listings: int
    appeal_texts: int

    @classmethod
    def of(cls, purged: Purged) -> ClosedOut:
        return cls(**dataclasses.asdict(purged))
