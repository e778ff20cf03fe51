"""Bodies for cases, tracing previews, risk areas, quarantines and a citizen's exposures."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from healthcode.api.types import Identifier, Name, RequestTime, Text
from healthcode.tracing.model.cases import CaseCorrection, CaseReport


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: Identifier
    sampled_at: RequestTime = Field(description="When the positive sample was taken")
    onset_at: RequestTime | None = Field(
        default=None, description="Symptom onset (required unless asymptomatic)"
    )
    asymptomatic: bool = False
    test_reference: Identifier = Field(description="The lab's test number")
    isolated_at: RequestTime | None = Field(
        default=None, description="When the person was isolated, if before confirmation"
    )
    reason: Text = "case reported"

    def report(self) -> CaseReport:
        return CaseReport(
            subject=self.subject,
            sampled_at=self.sampled_at,
            onset_at=self.onset_at,
            asymptomatic=self.asymptomatic,
            test_reference=self.test_reference,
            isolated_at=self.isolated_at,
        )


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sampled_at: RequestTime | None = None
    onset_at: RequestTime | None = None
    asymptomatic: bool | None = None
    test_reference: Identifier | None = None
    isolated_at: RequestTime | None = None
    reason: Text = Field(description="Why the case is corrected")

    def correction(self) -> CaseCorrection:
        return CaseCorrection(
            sampled_at=self.sampled_at,
            onset_at=self.onset_at,
            asymptomatic=self.asymptomatic,
            test_reference=self.test_reference,
            isolated_at=self.isolated_at,
        )


class WithdrawalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text


class CaseOut(BaseModel):
    case_id: str
    subject: str
    state: str
    version: int
    classification: str
    sampled_at: datetime
    onset_at: datetime | None
    isolated_at: datetime | None
    test_reference: str
    reported_by: str
    reported_at: datetime
    confirmed_by: str | None
    confirmed_at: datetime | None
    withdrawn_by: str | None = Field(description="Who approved the withdrawal")
    withdrawn_at: datetime | None
    withdrawal_reason: str
    withdrawal_proposed_by: str | None = Field(
        default=None, description="Who proposed the approved withdrawal of the confirmed case"
    )
    traced_at: datetime | None
    trace_counts: dict[str, int]
    exposures: int
    pending_proposal: str | None = Field(description="The report or correction to confirm")
    pending_withdrawal: str | None = Field(
        default=None, description="The proposed withdrawal waiting for approval"
    )


class WindowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    start: datetime
    end: datetime


class PreviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    case_id: str
    state: str
    window: WindowOut
    by_rule: dict[str, int] = Field(description="People each rule would flag")
    by_category: dict[str, int]
    people: int
    exposures: int
    quarantine_orders: int


class RiskAreaIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    level: Identifier = Field(description="low, medium or high")
    cells: list[Identifier] = Field(default_factory=list, description="H3 resolution-8 cells")
    venues: list[Identifier] = Field(
        default_factory=list,
        description="Venue ids: a bus or subway line covers all its vehicles; `line:vehicle` "
        "covers one trip",
    )
    starts_at: RequestTime
    ends_at: RequestTime
    reason: Text


class AreaEndIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text


class RiskAreaOut(BaseModel):
    id: str
    name: str
    level: str
    cells: list[str]
    venues: list[str]
    starts_at: datetime
    ends_at: datetime
    declared_at: datetime


class QuarantineOut(BaseModel):
    order_id: str
    subject: str
    setting: str
    state: str = Field(description="in_force or planned")
    starts_at: datetime
    planned_end: datetime
    reason: str


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: Identifier
    reason: Text


class RevealIn(BaseModel):
    """Why the official needs the contact's number (the contact sees it in their access log)."""

    model_config = ConfigDict(extra="forbid")

    purpose: Text = Field(description="5 to 80 characters, e.g. 'call to arrange a PCR test'")


class RevealedPhoneOut(BaseModel):
    """A contact's phone number in clear, and the purpose it was revealed for (audited)."""

    case_id: str
    subject: str
    phone: str
    purpose: str


class ContactOut(BaseModel):
    """One contact behind an exposure."""

    model_config = ConfigDict(from_attributes=True)

    place_id: str | None = Field(description="None at home (a household contact)")
    place_kind: str
    source: WindowOut = Field(description="The case's (or close contact's) interval there")
    contact: WindowOut = Field(description="Yours")
    overlap: WindowOut
    minutes: float
    place_name_zh: str | None = Field(
        default=None, description="The venue's (bus line's) name; none at home or in a cell"
    )
    place_name_en: str | None = None
    vehicle: str | None = Field(default=None, description="On a ride: the vehicle")


class ExposureOut(BaseModel):
    """What tracing recorded about the caller, with its evidence (never who the case was)."""

    model_config = ConfigDict(from_attributes=True)

    fact: str
    kind: str = Field(description="exposure or quarantine_order")
    source: str = Field(description="case, risk_area, or peer (sent by another city)")
    rule: str
    category: str
    at: datetime | None
    recorded_at: datetime
    retracted_at: datetime | None
    place_id: str | None = None
    level: str | None = None
    overlap_minutes: float | None = None
    secondary: bool = False
    contacts: list[ContactOut] = Field(
        default_factory=list,
        description="Each contact: place, the case's interval, yours, the overlap",
    )
    setting: str | None = None
    planned_end: datetime | None = None
    reason: str | None = None
    city: str | None = Field(
        default=None, description="The city that sent it (an exposure while visiting there)"
    )
    city_name: str | None = Field(default=None, description="Its name (北京市 Beijing)")
    place_name: str | None = Field(default=None, description="The place's name in that city")


class CaseContactOut(BaseModel):
    """A person the case's tracing found, masked, with what it recorded about them."""

    model_config = ConfigDict(from_attributes=True)

    subject: str
    name: str = Field(description="Masked")
    phone: str = Field(description="Masked: reveal it at …/contacts/{subject}/phone")
    findings: list[ExposureOut] = Field(description="Exposures and orders, with their evidence")


class CaseContactsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    case_id: str
    total: int = Field(description="People found in all (the list may show fewer)")
    contacts: list[CaseContactOut]
