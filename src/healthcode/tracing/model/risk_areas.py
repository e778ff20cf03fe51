"""Risk areas: H3 cells or venues declared at a level for a time window (four eyes). Presence
there during the window becomes an exposure of category ``risk_area`` with the area's level;
the policy's rules colour it (every bundled policy: medium yellow, high red; Beijing also shows
its pop-up notice, at every level).

A ride is a presence on the trip ``<line venue>:<vehicle>``: an area naming a bus or subway line
covers every trip on it, an area naming one trip ``line:vehicle`` that vehicle only. Pure."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from healthcode.kernel.errors import Problem
from healthcode.tracing.model.findings import Contact, Finding, Interval, TraceRule, Visit

LEVELS: Final = ("low", "medium", "high")
MAX_PLACES: Final = 5_000
_CELL = re.compile(r"[0-9a-f]{15}")
TRIP_SEPARATOR: Final = ":"  # a trip's place id: <line venue id>:<vehicle>


def split_trip(place_id: str) -> tuple[str, str | None]:
    """The venue (a line, for a trip) and the vehicle of a place id (None: not a trip)."""
    line, sep, vehicle = place_id.partition(TRIP_SEPARATOR)
    return (line, vehicle) if sep else (place_id, None)


@dataclass(frozen=True, kw_only=True)
class RiskArea:
    id: str
    jurisdiction: str
    name: str
    level: str
    cells: tuple[str, ...]
    venues: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    declared_at: datetime
    proposed_by: str
    approved_by: str

    @property
    def window(self) -> Interval:
        return Interval(self.starts_at, self.ends_at)


def check_places(cells: Iterable[str], venues: Iterable[str]) -> list[Problem]:
    """Cells must look like H3 indexes (15 hex digits); together at least one place."""
    cells, venues = list(cells), list(venues)
    problems = [
        Problem(f"payload.cells[{i}]", f"{c!r} is not an H3 cell (15 hex digits)")
        for i, c in enumerate(cells)
        if not isinstance(c, str) or not _CELL.fullmatch(c)
    ]
    problems += [
        Problem(f"payload.venues[{i}]", "must be a venue id")
        for i, v in enumerate(venues)
        if not isinstance(v, str) or not v
    ]
    if not cells and not venues:
        problems.append(Problem("payload.cells", "name at least one cell or venue"))
    if len(cells) + len(venues) > MAX_PLACES:
        problems.append(Problem("payload.cells", f"at most {MAX_PLACES} places in one area"))
    return problems


def area_exposures(area: RiskArea, visits: Iterable[Visit]) -> list[Finding]:
    """People whose visits to the area's venues or cells overlap its window. A ride on a line
    the area names counts whatever the vehicle; the evidence names the trip."""
    venues, cells = set(area.venues), set(area.cells)
    window = area.window
    episodes: dict[tuple[str, str], list[Contact]] = defaultdict(list)
    for v in visits:
        if v.place_id in venues or split_trip(v.place_id)[0] in venues:
            place, kind = v.place_id, v.place_kind
        elif v.cell is not None and v.cell in cells:
            place, kind = v.cell, "cell"
        else:
            continue
        common = v.interval.overlap(window)
        if common is not None:
            episodes[(v.subject, place)].append(Contact(place, kind, window, v.interval, common))
    return [
        Finding(
            subject=subject,
            rule=TraceRule.RISK_AREA,
            place_id=place,
            contacts=tuple(sorted(set(c), key=lambda x: x.overlap.start)),
            level=area.level,
        )
        for (subject, place), c in sorted(episodes.items())
    ]
