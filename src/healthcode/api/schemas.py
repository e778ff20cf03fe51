"""Request and response bodies. Types only: the rules live in the domain, which names the field."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    id_type: str = "resident"
    id_number: str
    phone: str
    address: str
    consent_location: bool = False
    district: str | None = Field(
        default=None, description="GB/T 2260 code of the home district (officials' scope)"
    )


class ProfileOut(BaseModel):
    subject: str
    jurisdiction: str
    id_type: str
    name: str
    id_number: str
    phone: str
    registered_at: datetime
    location_consent: bool


class ChannelRegistrationIn(RegistrationIn):
    assertion: str = Field(
        description="The channel's signed assertion for its user (JWT): `sub` is the "
        "channel's user id, bound to the new subject"
    )


class RegisteredOut(BaseModel):
    subject: str
    profile: ProfileOut


class HealthDeclarationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    temperature: float
    symptoms: list[str] = Field(default_factory=list)
    note: str = ""


class TravelDeclarationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    place: str = Field(description="GB/T 2260 region code, e.g. 310000")
    from_date: date
    to_date: date


class DeclarationOut(BaseModel):
    id: str
    kind: str
    at: datetime
    temperature: float | None = None
    symptoms: list[str] | None = None
    note: str | None = None
    place: str | None = None
    from_date: date | None = None
    to_date: date | None = None
