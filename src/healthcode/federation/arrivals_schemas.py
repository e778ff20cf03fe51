"""Bodies of the arrivals' routes: the consent token, an arrival recorded and the visitor's
status here, and the signed messages between the two cities."""

from __future__ import annotations

from datetime import datetime

import segno
from pydantic import BaseModel, ConfigDict, Field

from healthcode.federation.arrivals import IssuedConsent
from healthcode.federation.arrivals_destination import VisitorStatus
from healthcode.federation.arrivals_ports import RecordedArrival
from healthcode.status.schemas import StatusOut


def consent_qr_svg(token: str) -> str:
    """The consent token as an SVG QR code (alphanumeric mode, level M, as the codes)."""
    code = segno.make_qr(token, error="m", mode="alphanumeric", boost_error=False)
    return str(code.svg_inline(scale=4, border=4))


class ConsentIn(BaseModel):
    """The city the citizen arrives in, and how long the consent holds."""

    model_config = ConfigDict(extra="forbid")

    destination: str = Field(max_length=6, description="The destination's GB/T 2260 code")
    minutes: int = Field(default=30, ge=1, le=1440, description="Lifetime (at most a day)")


class ConsentOut(BaseModel):
    """A consent token to show as a QR code or pass by the channel."""

    token: str = Field(description="HZC1: + base45 of a COSE_Sign1 signed by the home city")
    issuer: str
    destination: str
    expires_at: datetime
    qr_svg: str = Field(description="The token as a QR code (SVG)")

    @classmethod
    def of(cls, issued: IssuedConsent) -> ConsentOut:
        c = issued.consent
        return cls(
            token=issued.token,
            issuer=c.issuer,
            destination=c.destination,
            expires_at=c.expires_at,
            qr_svg=consent_qr_svg(issued.token),
        )


class ArrivalIn(BaseModel):
    """The visitor's consent token, as scanned or passed."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(max_length=1024, description="The consent token (HZC1:...)")


class OriginReasonOut(BaseModel):
    """One reason the origin gave: its rule id and texts."""

    rule: str
    zh: str
    en: str


class ArrivalOut(BaseModel):
    """One recorded arrival and the origin's answer."""

    at: datetime
    origin_colour: str
    origin_reasons: list[OriginReasonOut]
    origin_valid_until: datetime | None
    origin_risk_area: str | None = Field(
        default=None,
        description="the highest level of the origin's risk areas in force when it answered "
        "(none, low, medium, high); null when its answer did not say",
    )
    recorded_by: str

    @classmethod
    def of(cls, a: RecordedArrival) -> ArrivalOut:
        return cls(
            at=a.at,
            origin_colour=a.origin_colour.value,
            origin_reasons=[
                OriginReasonOut(rule=r.rule, zh=r.zh, en=r.en) for r in a.origin_reasons
            ],
            origin_valid_until=a.origin_valid_until,
            origin_risk_area=a.origin_risk_area,
            recorded_by=a.recorded_by,
        )


class VisitorOut(BaseModel):
    """A visitor as this city sees them: their arrivals and their status here (this city's
    policy over their arrivals)."""

    issuer: str
    subject: str = Field(description="The visitor's opaque subject in their home city")
    arrivals: list[ArrivalOut]
    status: StatusOut

    @classmethod
    def of(cls, v: VisitorStatus, lang: str) -> VisitorOut:
        return cls(
            issuer=v.issuer,
            subject=v.subject,
            arrivals=[ArrivalOut.of(a) for a in v.arrivals],
            status=StatusOut.of(v.status, lang),
        )


class ArrivalStatusIn(BaseModel):
    """A destination's signed request (COSE_Sign1 by its root), base64url."""

    model_config = ConfigDict(extra="forbid")

    request: str = Field(max_length=4000, description="base64url of the signed request")


class ArrivalStatusOut(BaseModel):
    """The origin's signed answer (COSE_Sign1 by its root), base64url."""

    answer: str
