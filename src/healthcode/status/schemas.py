"""Bodies for health and travel declarations."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


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
