"""Location pings (app GPS or telecom cells) become stays in H3 resolution-8 cells; stays give
the itinerary and arrivals.

A batch is all or nothing. It is refused whole, naming the item (``line 42: lat``,
``pings[3].at``) and the reason, when any ping is malformed, off the globe, in the future or
before the retention window, of an unknown person, or of a person with no recorded consent to
location use for epidemic control at that time: nothing is stored.

Stays are presences (source ``gps`` or ``telecom``, place = the cell); storing a batch twice
stores its stays once. An arrival (a visit to one jurisdiction after one in another) becomes an
``Arrival`` fact through ``record_fact``, so the status engine sees it at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Final

from healthcode.checkpoint.batches import MAX_PROBLEMS
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotFound, Problem
from healthcode.kernel.facts import Arrival, Presence
from healthcode.oversight.access import Action
from healthcode.oversight.audit import Reader, record_reader_reads
from healthcode.oversight.instance import require_collecting
from healthcode.presence.cells import cell_of, centre
from healthcode.presence.geo import Boundary, jurisdiction_at, parse_boundaries
from healthcode.presence.ping_fields import SOURCES as SOURCES
from healthcode.presence.ping_fields import Parsed, parse_ping, refusals
from healthcode.presence.ports import PresenceUnitOfWork
from healthcode.presence.serving_area import boundaries_in as boundaries_in
from healthcode.presence.serving_area import bundled_boundaries as bundled_boundaries
from healthcode.presence.settings import retention
from healthcode.presence.stays import ItineraryEntry, Ping, Stay, itinerary, merge_stays, moves

MAX_PINGS: Final = 100_000


@dataclass(frozen=True, kw_only=True)
class LocationReceipt:
    pings: int
    subjects: int
    stays: int
    stored: int
    arrivals: list[Arrival]


def import_boundaries(
    *, uow: PresenceUnitOfWork, clock: Clock, text: str, source: str
) -> list[Boundary]:
    """Import jurisdiction boundaries from GeoJSON text (replacing those with the same codes)."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise InvalidInput.one("geojson", f"is not JSON: {error}") from None
    except RecursionError:  # arrays or objects nested thousands deep: no GeoJSON is
        raise InvalidInput.one("geojson", "is nested too deeply to be GeoJSON") from None
    found = parse_boundaries(document)
    with uow:
        uow.boundaries.replace(found, source=source, at=clock.now())
        uow.commit()
    return found


class _Places:
    """Cell and jurisdiction of positions, each cell's jurisdiction worked out once."""

    def __init__(self, boundaries: Sequence[Boundary]) -> None:
        self._boundaries = boundaries

        @lru_cache(maxsize=65_536)
        def jurisdiction_of(cell: str) -> str | None:
            lat, lon = centre(cell)
            return jurisdiction_at(self._boundaries, lat, lon)

        self.jurisdiction_of = jurisdiction_of


def _stay_of(presence: Presence, places: _Places) -> Stay:
    cell = presence.cell or presence.place_id
    return Stay(
        subject=presence.subject,
        cell=cell,
        at=presence.at,
        until=presence.until,
        source=presence.source,
        jurisdiction=places.jurisdiction_of(cell),
    )


def _digest(*parts: object) -> str:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:32]


def import_pings(
    *,
    uow: PresenceUnitOfWork,
    clock: Clock,
    jurisdiction: str,
    items: Sequence[tuple[str, Mapping[str, object]]],
    default_source: str | None = None,
) -> LocationReceipt:
    """Store a batch of pings as stays, and the arrivals they show; all or nothing.

    ``items`` are (label, fields) pairs, the label naming the item in refusals ("line 42",
    "pings[3]"); fields: subject, lat, lon, at (ISO 8601 with a zone), source (gps|telecom)."""
    if not items:
        raise InvalidInput.one("pings", "the batch is empty")
    if len(items) > MAX_PINGS:
        raise InvalidInput.one("pings", f"at most {MAX_PINGS} pings in one batch")
    problems: list[Problem] = []
    parsed: list[tuple[str, Parsed]] = []
    checked: dict[str, bool] = {}
    for label, item in items:
        one = parse_ping(label, item, default_source, problems, checked)
        if one is not None:
            parsed.append((label, one))
    now = clock.now()
    with uow:
        require_collecting(uow)
        keep = retention(uow.policies.active(jurisdiction))
        subjects = {p[0] for _, p in parsed}
        people = sorted(subjects)
        problems += refusals(
            parsed,
            consents=uow.persons.consents_of(people),  # one query, not one a person
            registered=uow.persons.jurisdictions_of(people),  # one query, not one a ping
            now=now,
            keep=keep,
        )
        if problems:
            raise InvalidInput(problems[:MAX_PROBLEMS])
        places = _Places(boundaries_in(uow))
        pings = []
        where: dict[tuple[float, float], tuple[str, str | None]] = {}  # phones ping from places
        for _, (subject, lat, lon, at, source) in parsed:
            found = where.get((lat, lon))
            if found is None:
                cell = cell_of(lat, lon)
                found = where[lat, lon] = (cell, places.jurisdiction_of(cell))
            pings.append(
                Ping(
                    subject=subject,
                    lat=lat,
                    lon=lon,
                    at=at,
                    source=source,
                    cell=found[0],
                    jurisdiction=found[1],
                )
            )
        stays = merge_stays(pings)
        stored = uow.presences.insert_rows([_stay_row(s, now) for s in stays])
        arrivals = _arrivals(uow, clock, stays, places, now)
        uow.commit()
    return LocationReceipt(
        pings=len(parsed),
        subjects=len(subjects),
        stays=len(stays),
        stored=stored,
        arrivals=arrivals,
    )


def _stay_row(stay: Stay, now: datetime) -> dict[str, Any]:
    return {
        "id": _digest("stay", stay.subject, stay.source, stay.cell, stay.at.isoformat()),
        "subject": stay.subject,
        "at": stay.at,
        "recorded_at": now,
        "supersedes": None,
        "retracted": False,
        "place_id": stay.cell,
        "place_kind": "cell",
        "until": stay.until,
        "source": stay.source,
        "cell": stay.cell,
    }


def _known(jurisdictions: set[str | None], before: str | None, places: _Places) -> set[str | None]:
    """The known jurisdictions of a person's new stays and of the place before them."""
    if before is not None:
        jurisdictions = jurisdictions | {places.jurisdiction_of(before)}
    return jurisdictions - {None}


def _arrivals(
    uow: PresenceUnitOfWork, clock: Clock, stays: list[Stay], places: _Places, now: datetime
) -> list[Arrival]:
    from healthcode.status.assessment import record_fact

    recorded: list[Arrival] = []
    by_subject: dict[str, list[Stay]] = {}
    for stay in stays:
        by_subject.setdefault(stay.subject, []).append(stay)
    firsts = {subject: min(s.at for s in own) for subject, own in by_subject.items()}
    # a move needs two known jurisdictions: of those whose stays, with the one before, name
    # at most one, only where that stay was is read (a few statements, not one a person)
    before_places = uow.presences.last_places_before(firsts)
    moving = {
        subject: firsts[subject]
        for subject, own in by_subject.items()
        if len(_known({s.jurisdiction for s in own}, before_places.get(subject), places)) > 1
    }
    befores = uow.presences.last_stays_before(moving)
    for subject in moving:
        own = by_subject[subject]
        first = firsts[subject]
        before = befores.get(subject)
        context = [_stay_of(before, places)] if before is not None else []
        candidates = [m for m in moves([*context, *own]) if m.at >= first]
        if not candidates:
            continue
        source = own[0].source
        facts = {
            _digest("arrival", subject, m.from_region, m.to_region, m.at.isoformat()): m
            for m in candidates
        }
        held = uow.presences.fact_ids("arrivals", facts)
        for fact_id, move in facts.items():
            if fact_id in held:
                continue
            arrival = Arrival(
                id=fact_id,
                subject=subject,
                at=move.at,
                recorded_at=now,
                from_region=move.from_region,
                to_region=move.to_region,
                source=source,
            )
            record_fact(uow, clock=clock, fact=arrival)
            recorded.append(arrival)
    return recorded


def itinerary_of(
    *,
    uow: PresenceUnitOfWork,
    clock: Clock,
    subject: str,
    reader: Reader | None = None,
) -> list[ItineraryEntry]:
    """Jurisdictions where the person's phone stayed 4 h or more in the last 14 days (read for
    an official, ``Action.READ_PERSON`` in scope, or the console operator: ``reader``, the read
    is in the person's access log)."""
    from healthcode.presence.stays import ITINERARY_LOOKBACK

    now = clock.now()
    with uow:
        if uow.persons.jurisdiction_of(subject) is None:
            raise NotFound("person", subject)
        places = _Places(boundaries_in(uow))
        stays = [
            _stay_of(p, places)
            for p in uow.presences.stays_of(subject, since=now - ITINERARY_LOOKBACK)
        ]
        if record_reader_reads(
            uow,
            clock=clock,
            reader=reader,
            subjects=[subject],
            what="itinerary",
            action=Action.READ_PERSON,
        ):
            uow.commit()
    return itinerary(stays, now=now)
