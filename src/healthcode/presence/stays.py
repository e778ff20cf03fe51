"""From location pings to stays, visits, the itinerary and arrivals. Pure: cells and
jurisdictions are worked out by the caller and carried on the pings.

- A **stay** is a run of consecutive pings of one phone in the same H3 cell, no two more than
  ``max_gap`` apart: it lasts from the first ping to the last.
- A **visit** is a run of consecutive stays in the same jurisdiction, no two more than
  ``visit_gap`` apart.
- The **itinerary** lists the jurisdictions where a visit within the lookback (14 days) lasted
  at least ``min_stay`` (4 hours), as the itinerary card (通信行程卡) did.
- An **arrival** is a visit in one known jurisdiction following one in another.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby, pairwise
from operator import attrgetter
from typing import Final

STAY_MAX_GAP: Final = timedelta(hours=2)
VISIT_MAX_GAP: Final = timedelta(hours=12)
ITINERARY_LOOKBACK: Final = timedelta(days=14)
ITINERARY_MIN_STAY: Final = timedelta(hours=4)


@dataclass(frozen=True, kw_only=True, slots=True)
class Ping:
    """One position of one phone, with the cell and jurisdiction it falls in."""

    subject: str
    lat: float
    lon: float
    at: datetime
    source: str  # gps | telecom
    cell: str
    jurisdiction: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Stay:
    subject: str
    cell: str
    at: datetime
    until: datetime
    source: str
    jurisdiction: str | None
    pings: int = 1


@dataclass(frozen=True, kw_only=True, slots=True)
class Visit:
    jurisdiction: str | None
    at: datetime
    until: datetime

    @property
    def duration(self) -> timedelta:
        return self.until - self.at


@dataclass(frozen=True, kw_only=True, slots=True)
class ItineraryEntry:
    jurisdiction: str
    first_at: datetime
    last_until: datetime
    longest: timedelta


@dataclass(frozen=True, kw_only=True, slots=True)
class Move:
    """The phone arrived in ``to_region`` from ``from_region`` at ``at``."""

    from_region: str
    to_region: str
    at: datetime


_BY_SUBJECT_TIME = attrgetter("subject", "at")


def merge_stays(pings: Iterable[Ping], *, max_gap: timedelta = STAY_MAX_GAP) -> list[Stay]:
    """Stays from pings of any number of phones (in any order), each phone's in time order."""
    stays: list[Stay] = []
    ordered = sorted(pings, key=_BY_SUBJECT_TIME)
    for _subject, own in groupby(ordered, key=attrgetter("subject")):
        first: Ping | None = None  # the current stay's first ping, its last time, its pings
        until, count = None, 0
        for ping in own:
            if (
                first is not None
                and until is not None
                and ping.cell == first.cell
                and ping.source == first.source
                and ping.at - until <= max_gap
            ):
                until, count = ping.at, count + 1
                continue
            if first is not None and until is not None:
                stays.append(_stay(first, until, count))
            first, until, count = ping, ping.at, 1
        if first is not None and until is not None:
            stays.append(_stay(first, until, count))
    return stays


def _stay(first: Ping, until: datetime, pings: int) -> Stay:
    return Stay(
        subject=first.subject,
        cell=first.cell,
        at=first.at,
        until=until,
        source=first.source,
        jurisdiction=first.jurisdiction,
        pings=pings,
    )


def visits(stays: Iterable[Stay], *, visit_gap: timedelta = VISIT_MAX_GAP) -> list[Visit]:
    """One phone's stays (any order) as visits to jurisdictions, in time order."""
    found: list[Visit] = []
    for stay in sorted(stays, key=attrgetter("at")):
        last = found[-1] if found else None
        if (
            last is not None
            and last.jurisdiction == stay.jurisdiction
            and stay.at - last.until <= visit_gap
        ):
            found[-1] = Visit(
                jurisdiction=last.jurisdiction, at=last.at, until=max(last.until, stay.until)
            )
        else:
            found.append(Visit(jurisdiction=stay.jurisdiction, at=stay.at, until=stay.until))
    return found


def itinerary(
    stays: Iterable[Stay],
    *,
    now: datetime,
    lookback: timedelta = ITINERARY_LOOKBACK,
    min_stay: timedelta = ITINERARY_MIN_STAY,
) -> list[ItineraryEntry]:
    """Jurisdictions with a visit of at least ``min_stay`` within ``lookback`` before ``now``
    (the part of a visit outside that window does not count), most recent first."""
    since = now - lookback
    entries: dict[str, ItineraryEntry] = {}
    for visit in visits(stays):
        if visit.jurisdiction is None:
            continue
        start, end = max(visit.at, since), min(visit.until, now)
        if end - start < min_stay:
            continue
        held = entries.get(visit.jurisdiction)
        entries[visit.jurisdiction] = ItineraryEntry(
            jurisdiction=visit.jurisdiction,
            first_at=start if held is None else min(held.first_at, start),
            last_until=end if held is None else max(held.last_until, end),
            longest=end - start if held is None else max(held.longest, end - start),
        )
    return sorted(entries.values(), key=attrgetter("last_until"), reverse=True)


def moves(stays: Sequence[Stay], *, visit_gap: timedelta = VISIT_MAX_GAP) -> list[Move]:
    """Arrivals: each visit to a known jurisdiction right after a visit to another known one.
    A stretch outside every known boundary neither starts nor ends a move."""
    known = [(v.jurisdiction, v.at) for v in visits(stays, visit_gap=visit_gap) if v.jurisdiction]
    return [
        Move(from_region=left, to_region=arrived, at=at)
        for (left, _), (arrived, at) in pairwise(known)
        if left != arrived
    ]
