"""What tracing recorded: an exposure or quarantine order, the case or risk area it follows from,
and its evidence; and what a person is told of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from healthcode.tracing.model.findings import Interval


@dataclass(frozen=True, kw_only=True)
class DerivedFact:
    """A fact tracing recorded (an exposure or a quarantine order), the case or risk area it
    follows from, and its evidence (place, both intervals, overlap, rule) as JSON values."""

    fact_id: str
    key: str  # the evidence's deterministic key: the same finding traced again has the same key
    kind: str  # exposure | quarantine_order
    source_kind: str  # case | risk_area
    source_id: str
    subject: str
    rule: str
    category: str
    evidence: Mapping[str, Any]
    created_at: datetime
    retracted_at: datetime | None = None
    retracted_by: str | None = None  # the retraction fact


@dataclass(frozen=True, kw_only=True)
class DerivedHead:
    """A derived fact without its evidence: what tracing a source again compares its findings
    with, and what a simulation's measures count."""

    fact_id: str
    key: str
    kind: str
    subject: str
    rule: str
    created_at: datetime
    retracted: bool


@dataclass(frozen=True, kw_only=True)
class ContactEvidence:
    """One contact behind an exposure: the place, the source's interval there (the case's, or
    the close contact's for a secondary contact), the person's, and their overlap."""

    place_id: str | None
    """None at home (a household contact)."""
    place_kind: str
    source: Interval
    contact: Interval
    overlap: Interval
    minutes: float
    place_name_zh: str | None = None
    place_name_en: str | None = None
    """The venue's (a bus line's) names, when the place is one (``tracing.place_names``)."""
    vehicle: str | None = None
    """On a ride: the vehicle."""


@dataclass(frozen=True, kw_only=True)
class TracedFact:
    """What a person is told of a fact tracing recorded about them: rule, category, place, the
    intervals and their overlap (for an exposure) or the setting and planned end (for a
    quarantine order); retracted ones too, marked. Never who the case (or the close contact in
    between) was."""

    fact: str
    kind: str  # exposure | quarantine_order
    source: str  # case | risk_area
    rule: str
    category: str
    at: datetime | None
    recorded_at: datetime
    retracted_at: datetime | None
    place_id: str | None = None
    level: str | None = None
    overlap_minutes: float | None = None
    secondary: bool = False
    contacts: tuple[ContactEvidence, ...] = ()
    setting: str | None = None
    planned_end: datetime | None = None
    reason: str | None = None
    city: str | None = None  # the peer city that sent it (an exposure while visiting there)
    city_name: str | None = None  # its name (北京市 Beijing)
    place_name: str | None = None  # the place's name there
