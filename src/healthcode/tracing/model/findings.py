"""Contact tracing rules: from a case's infectious window and who was where, the exposures,
each with its evidence. Pure: the caller fetches presences; nothing here does I/O.

- **Household**: members of the case's household (same normalised home address) for the whole
  infectious window.
- **Venue**: a visit to the same venue overlapping one of the case's by at least the policy's
  minutes. Check-ins and scans are instants and count as stays of an assumed length.
- **Transit**: a ride on the same trip (line and vehicle) overlapping one of the case's.
- **Companion** (optional): the same H3 cell as the case, from location stays, for more than the
  policy's minutes; with the Chengdu preset also 30 h in that cell within 14 days by either.
- **Secondary**: people who shared a household, venue or trip with a new close contact after that
  contact's own exposure began and before the case was confirmed (when contacts are isolated).

Intervals are half-open, ``[start, end)``; an overlap must last more than zero seconds. Each
person keeps only the findings of their most severe category for one case (a close contact is
not also a companion of the same case). Exposure ids are derived from their evidence, so tracing
the same case twice gives the same ids (and records nothing new).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final, NamedTuple

from healthcode.kernel.facts import Presence
from healthcode.presence.venue_kinds import TRANSIT_KINDS
from healthcode.tracing.settings import TracingSettings

CLOSE_CONTACT: Final = "close_contact"


SECONDARY_CONTACT: Final = "secondary_contact"


COMPANION: Final = "companion"


RISK_AREA: Final = "risk_area"


CATEGORIES: Final = (CLOSE_CONTACT, SECONDARY_CONTACT, COMPANION, RISK_AREA)


_SEVERITY: Final = {CLOSE_CONTACT: 3, SECONDARY_CONTACT: 2, COMPANION: 1, RISK_AREA: 0}


HOME: Final = "home"


class TraceRule(StrEnum):
    HOUSEHOLD = "household"
    VENUE = "venue"
    TRANSIT = "transit"
    COMPANION = "companion"
    SECONDARY_HOUSEHOLD = "secondary-household"
    SECONDARY_VENUE = "secondary-venue"
    SECONDARY_TRANSIT = "secondary-transit"
    RISK_AREA = "risk-area"


CATEGORY_OF: Final[Mapping[TraceRule, str]] = {
    TraceRule.HOUSEHOLD: CLOSE_CONTACT,
    TraceRule.VENUE: CLOSE_CONTACT,
    TraceRule.TRANSIT: CLOSE_CONTACT,
    TraceRule.COMPANION: COMPANION,
    TraceRule.SECONDARY_HOUSEHOLD: SECONDARY_CONTACT,
    TraceRule.SECONDARY_VENUE: SECONDARY_CONTACT,
    TraceRule.SECONDARY_TRANSIT: SECONDARY_CONTACT,
    TraceRule.RISK_AREA: RISK_AREA,
}


class Interval(NamedTuple):
    """``[start, end)``. A named tuple: tracing builds tens of thousands of them."""

    start: datetime
    end: datetime

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60

    def overlap(self, other: Interval) -> Interval | None:
        """The common part, or None when they share no time."""
        start = max(self.start, other.start)
        end = min(self.end, other.end)
        return Interval(start, end) if end > start else None


class PlaceClass(StrEnum):
    TRIP = "trip"
    VENUE = "venue"
    CELL = "cell"


def place_class(place_kind: str, place_id: str) -> PlaceClass:
    """A location stay (a cell), a ride (a line's vehicle) or a venue."""
    if place_kind == "cell":
        return PlaceClass.CELL
    if place_kind in TRANSIT_KINDS and ":" in place_id:
        return PlaceClass.TRIP
    return PlaceClass.VENUE


class Sighting(NamedTuple):
    """What tracing reads of a presence (a ``Presence`` fact has the same fields)."""

    id: str
    subject: str
    place_id: str
    place_kind: str
    source: str
    cell: str | None
    at: datetime
    until: datetime


@dataclass(frozen=True)
class OverlapQuery:
    """Which presences to read: those that may overlap ``[start, end)``, beginning in
    ``[start - lookback, end)`` and ending after ``start`` or, for instants (which tracing
    stretches to an assumed stay), beginning less than ``slack`` before it."""

    start: datetime
    end: datetime
    lookback: timedelta
    slack: timedelta = timedelta(0)


class Visit(NamedTuple):
    """A presence as tracing sees it: instants stretched to the assumed stay or ride."""

    presence_id: str
    subject: str
    place_id: str
    place_kind: str
    place: PlaceClass
    source: str
    cell: str | None
    interval: Interval


def assumed_slack(settings: TracingSettings) -> timedelta:
    """The longest an instant is stretched: presences that began this long before a range
    can still overlap it."""
    return timedelta(
        minutes=max(settings.venue_assumed_stay_minutes, settings.transit_assumed_ride_minutes)
    )


def visit_of(presence: Presence | Sighting, settings: TracingSettings) -> Visit:
    return visits_of([presence], settings)[0]


def visits_of(presences: Iterable[Presence | Sighting], settings: TracingSettings) -> list[Visit]:
    """Presences as tracing sees them: instants stretched to the assumed stay or ride."""
    stretch = {
        PlaceClass.TRIP: timedelta(minutes=settings.transit_assumed_ride_minutes),
        PlaceClass.VENUE: timedelta(minutes=settings.venue_assumed_stay_minutes),
    }
    # the class of a place whose kind is no transit kind depends on the kind alone; named
    # tuples built through ``tuple.__new__``: a busy venue's 160,000 visits, about a third less
    by_kind: dict[str, PlaceClass] = {}
    new = tuple.__new__
    found: list[Visit] = []
    for p in presences:
        place_id, place_kind, at, end = p.place_id, p.place_kind, p.at, p.until
        kind = by_kind.get(place_kind)
        if kind is None:
            kind = place_class(place_kind, place_id)
            if place_kind not in TRANSIT_KINDS:
                by_kind[place_kind] = kind
        if end <= at and kind is not PlaceClass.CELL:
            end = at + stretch[kind]
        interval = new(Interval, (at, end))
        found.append(
            new(Visit, (p.id, p.subject, place_id, place_kind, kind, p.source, p.cell, interval))
        )
    return found


class Contact(NamedTuple):
    """One episode of evidence: where, the source's interval (the case's, the close contact's
    or the risk area's), the person's own interval, and their overlap. A named tuple: a case
    at a busy venue has millions of them."""

    place_id: str | None
    place_kind: str
    source_interval: Interval
    contact_interval: Interval
    overlap: Interval


@dataclass(frozen=True, slots=True)
class Finding:
    """Why one person is exposed by one rule at one place: every contact there (for a secondary
    contact, with every close contact they met there, who are not named)."""

    subject: str
    rule: TraceRule
    place_id: str | None
    contacts: tuple[Contact, ...]
    level: str | None = None

    @property
    def category(self) -> str:
        return CATEGORY_OF[self.rule]

    @property
    def at(self) -> datetime:
        """The end of the last contact: what policy windows count from."""
        contacts = self.contacts
        if len(contacts) == 1:  # a preview's summary, and most findings
            return contacts[0].overlap.end
        return max(c.overlap.end for c in contacts)

    @property
    def first(self) -> datetime:
        """The start of the first contact."""
        contacts = self.contacts
        if len(contacts) == 1:
            return contacts[0].overlap.start
        return min(c.overlap.start for c in contacts)

    @property
    def overlap_minutes(self) -> float:
        return round(sum(c.overlap.minutes for c in self.contacts), 3)


def infectious_window(
    *,
    onset_at: datetime | None,
    sampled_at: datetime,
    isolated_at: datetime,
    settings: TracingSettings,
) -> Interval:
    """From ``days_before`` before symptom onset (or sampling, when earlier or asymptomatic)
    until isolation. Empty (start == end) when isolation came before the start."""
    first = sampled_at if onset_at is None else min(onset_at, sampled_at)
    start = first - settings.days_before
    return Interval(start, max(start, isolated_at))


def fact_id(*parts: object) -> str:
    """A deterministic 32-hex id from the parts (the same evidence gives the same id)."""
    return _id_of(
        "|".join(
            "" if p is None else p.isoformat() if isinstance(p, datetime) else str(p) for p in parts
        )
    )


def _id_of(text: str) -> str:
    """The 32-hex id of the parts ``fact_id`` joined into ``text``."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def exposure_id(source_id: str, finding: Finding) -> str:
    """``fact_id("exposure", source_id, subject, rule, place, "", level, at, minutes)``,
    written out: a busy case's trace keys a few hundred thousand findings."""
    f = finding
    # the empty part held the close contact in between when a secondary contact had a finding
    # for each; kept, so the ids of every other exposure stay what they were
    text = (
        f"exposure|{source_id}|{f.subject}|{f.rule.value}|{f.place_id or ''}||"
        f"{f.level or ''}|{f.at.isoformat()}|{f.overlap_minutes:.3f}"
    )
    return _id_of(text)
