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
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final, NamedTuple

from healthcode.domain.facts import Presence
from healthcode.domain.tracing_settings import TracingSettings
from healthcode.domain.venues import TRANSIT_KINDS

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
    place_id, place_kind, at = presence.place_id, presence.place_kind, presence.at
    kind = place_class(place_kind, place_id)
    end = presence.until
    if end <= at:
        if kind is PlaceClass.TRIP:
            end = at + timedelta(minutes=settings.transit_assumed_ride_minutes)
        elif kind is PlaceClass.VENUE:
            end = at + timedelta(minutes=settings.venue_assumed_stay_minutes)
    return Visit(
        presence.id,
        presence.subject,
        place_id,
        place_kind,
        kind,
        presence.source,
        presence.cell,
        Interval(at, end),
    )


@dataclass(frozen=True, slots=True)
class Contact:
    """One episode of evidence: where, the source's interval (the case's, the close contact's
    or the risk area's), the person's own interval, and their overlap."""

    place_id: str | None
    place_kind: str
    source_interval: Interval
    contact_interval: Interval
    overlap: Interval


@dataclass(frozen=True, slots=True)
class Finding:
    """Why one person is exposed by one rule at one place (through ``via`` for secondary)."""

    subject: str
    rule: TraceRule
    place_id: str | None
    contacts: tuple[Contact, ...]
    via: str | None = None
    level: str | None = None

    @property
    def category(self) -> str:
        return CATEGORY_OF[self.rule]

    @property
    def at(self) -> datetime:
        """The end of the last contact: what policy windows count from."""
        return max(c.overlap.end for c in self.contacts)

    @property
    def first(self) -> datetime:
        """The start of the first contact."""
        return min(c.overlap.start for c in self.contacts)

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


def _meets(minutes: float, threshold: float, *, strictly: bool) -> bool:
    return minutes > threshold if strictly else minutes >= threshold


def _threshold(rule: TraceRule, settings: TracingSettings) -> float:
    if rule in (TraceRule.TRANSIT, TraceRule.SECONDARY_TRANSIT):
        return settings.transit_min_overlap_minutes
    return settings.venue_min_overlap_minutes


def _home(subject: str, rule: TraceRule, window: Interval, via: str | None) -> Finding:
    contact = Contact(None, HOME, window, window, window)
    return Finding(subject=subject, rule=rule, place_id=None, contacts=(contact,), via=via)


def shared_places(
    *,
    sources: Iterable[Visit],
    within: Interval,
    candidates: Iterable[Visit],
    rules: Mapping[PlaceClass, TraceRule],
    settings: TracingSettings,
    exclude: frozenset[str] | set[str],
    via: str | None = None,
) -> list[Finding]:
    """People whose visits overlap ``sources`` (clipped to ``within``) at the same venue or on
    the same trip, by each place class's rule and threshold."""
    by_place: dict[str, list[tuple[Visit, Interval]]] = defaultdict(list)
    for source in sources:
        clipped = source.interval.overlap(within)
        if source.place in rules and clipped is not None:
            by_place[source.place_id].append((source, clipped))
    episodes: dict[tuple[str, TraceRule, str], list[Contact]] = defaultdict(list)
    for candidate in candidates:
        if candidate.subject in exclude or candidate.place_id not in by_place:
            continue
        rule = rules.get(candidate.place)
        if rule is None:
            continue
        threshold = _threshold(rule, settings)
        for source, clipped in by_place[candidate.place_id]:
            common = clipped.overlap(candidate.interval)
            if common is not None and _meets(common.minutes, threshold, strictly=False):
                episodes[(candidate.subject, rule, candidate.place_id)].append(
                    Contact(
                        candidate.place_id, source.place_kind, clipped, candidate.interval, common
                    )
                )
    return [
        Finding(
            subject=s, rule=r, place_id=p, contacts=tuple(sorted(set(c), key=_contact_key)), via=via
        )
        for (s, r, p), c in sorted(episodes.items())
    ]


def _contact_key(contact: Contact) -> tuple[datetime, datetime, datetime]:
    return (contact.overlap.start, contact.contact_interval.start, contact.source_interval.start)


def close_contacts(
    *,
    case_subject: str,
    window: Interval,
    case_visits: Sequence[Visit],
    candidates: Iterable[Visit],
    household: Iterable[str],
    settings: TracingSettings,
) -> list[Finding]:
    """Household members, and people at the case's venues and on its trips within the window."""
    found: list[Finding] = []
    if window.end <= window.start:
        return found
    if settings.household:
        found += [
            _home(member, TraceRule.HOUSEHOLD, window, None)
            for member in sorted(set(household) - {case_subject})
        ]
    rules: dict[PlaceClass, TraceRule] = {}
    if settings.venue:
        rules[PlaceClass.VENUE] = TraceRule.VENUE
    if settings.transit:
        rules[PlaceClass.TRIP] = TraceRule.TRANSIT
    found += shared_places(
        sources=case_visits,
        within=window,
        candidates=candidates,
        rules=rules,
        settings=settings,
        exclude={case_subject},
    )
    return found


def _dwell(visits: Iterable[Visit], lookback: Interval) -> dict[tuple[str, str], float]:
    hours: dict[tuple[str, str], float] = defaultdict(float)
    for v in visits:
        common = v.interval.overlap(lookback)
        if v.cell is not None and common is not None:
            hours[(v.subject, v.cell)] += common.minutes / 60
    return hours


def companions(
    *,
    case_subject: str,
    window: Interval,
    case_visits: Sequence[Visit],
    candidates: Sequence[Visit],
    settings: TracingSettings,
) -> list[Finding]:
    """People in the same H3 cell as the case (from location stays) for long enough."""
    cs = settings.companion
    if not cs.enabled or window.end <= window.start:
        return []
    lookback = Interval(window.end - cs.dwell_lookback, window.end)
    own = [v for v in case_visits if v.cell is not None and v.source in cs.sources]
    others = [
        v
        for v in candidates
        if v.cell is not None and v.source in cs.sources and v.subject != case_subject
    ]
    dwell = _dwell([*own, *others], lookback) if cs.dwell_hours > 0 else {}
    by_cell: dict[str, list[Interval]] = defaultdict(list)
    for v in own:
        clipped = v.interval.overlap(window)
        if clipped is not None and v.cell is not None:
            by_cell[v.cell].append(clipped)
    episodes: dict[tuple[str, str], list[Contact]] = defaultdict(list)
    for candidate in others:
        cell = candidate.cell
        if cell is None or cell not in by_cell:
            continue
        if (
            cs.dwell_hours > 0
            and max(dwell.get((case_subject, cell), 0.0), dwell.get((candidate.subject, cell), 0.0))
            < cs.dwell_hours
        ):
            continue
        for clipped in by_cell[cell]:
            common = clipped.overlap(candidate.interval)
            if common is not None and _meets(
                common.minutes, cs.min_overlap_minutes, strictly=cs.strictly_more
            ):
                episodes[(candidate.subject, cell)].append(
                    Contact(cell, "cell", clipped, candidate.interval, common)
                )
    return [
        Finding(
            subject=s,
            rule=TraceRule.COMPANION,
            place_id=cell,
            contacts=tuple(sorted(set(c), key=_contact_key)),
        )
        for (s, cell), c in sorted(episodes.items())
    ]


def secondary_windows(primary: Iterable[Finding], cutoff: datetime) -> dict[str, Interval]:
    """Per close contact: from the start of their first contact with the case until ``cutoff``
    (the confirmation, when close contacts are told to isolate)."""
    starts: dict[str, datetime] = {}
    for f in primary:
        if f.category == CLOSE_CONTACT:
            starts[f.subject] = min(starts.get(f.subject, f.first), f.first)
    return {s: Interval(start, cutoff) for s, start in sorted(starts.items()) if cutoff > start}


def secondary_contacts(
    *,
    windows: Mapping[str, Interval],
    contact_visits: Mapping[str, Sequence[Visit]],
    candidates: Sequence[Visit],
    households: Mapping[str, Sequence[str]],
    settings: TracingSettings,
    exclude: set[str] | frozenset[str],
) -> list[Finding]:
    """People who shared a household, venue or trip with a close contact within that contact's
    window (``secondary_windows``); ``exclude`` holds the case and the close contacts."""
    if not settings.secondary:
        return []
    rules: dict[PlaceClass, TraceRule] = {}
    if "venue" in settings.secondary_rules:
        rules[PlaceClass.VENUE] = TraceRule.SECONDARY_VENUE
    if "transit" in settings.secondary_rules:
        rules[PlaceClass.TRIP] = TraceRule.SECONDARY_TRANSIT
    by_place: dict[str, list[Visit]] = defaultdict(list)
    for candidate in candidates:
        if candidate.subject not in exclude:
            by_place[candidate.place_id].append(candidate)
    found: list[Finding] = []
    for contact, window in windows.items():
        if "household" in settings.secondary_rules:
            found += [
                _home(member, TraceRule.SECONDARY_HOUSEHOLD, window, contact)
                for member in sorted(set(households.get(contact, ())) - set(exclude))
            ]
        visits = contact_visits.get(contact, ())
        nearby = [c for v in visits for c in by_place.get(v.place_id, ())]
        found += shared_places(
            sources=visits,
            within=window,
            candidates=nearby,
            rules=rules,
            settings=settings,
            exclude=exclude,
            via=contact,
        )
    return found


def most_severe(findings: Iterable[Finding]) -> list[Finding]:
    """Per person, only the findings of their most severe category, in a stable order."""
    findings = list(findings)
    top: dict[str, int] = {}
    for f in findings:
        top[f.subject] = max(top.get(f.subject, -1), _SEVERITY[f.category])
    kept = [f for f in findings if _SEVERITY[f.category] == top[f.subject]]
    return sorted(kept, key=lambda f: (f.subject, f.rule.value, f.place_id or "", f.via or ""))


def counts_by_rule(findings: Iterable[Finding]) -> dict[str, int]:
    """How many people each rule flags (a person found twice by one rule counts once)."""
    people: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        people[f.rule.value].add(f.subject)
    return {rule: len(people[rule]) for rule in sorted(people)}


def fact_id(*parts: object) -> str:
    """A deterministic 32-hex id from the parts (the same evidence gives the same id)."""
    text = "|".join(
        "" if p is None else p.isoformat() if isinstance(p, datetime) else str(p) for p in parts
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def exposure_id(source_id: str, finding: Finding) -> str:
    return fact_id(
        "exposure",
        source_id,
        finding.subject,
        finding.rule.value,
        finding.place_id,
        finding.via,
        finding.level,
        finding.at,
        f"{finding.overlap_minutes:.3f}",
    )
