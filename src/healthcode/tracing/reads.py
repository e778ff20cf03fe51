"""The presences one trace reads at places, each place read once: what the close contacts' rule
read at the case's venues serves the secondary contacts' rule there too.

At a busy venue both rules want the same rows: the close contacts' own visits there (where
their secondary contacts are looked for) and everyone else's (the candidates) are the venue's
visits in the window, already read for the case. A place is read again only for times its
first read did not reach.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from datetime import datetime, timedelta
from typing import Final

from healthcode.tracing.model.findings import (
    Interval,
    OverlapQuery,
    Sighting,
    Visit,
    assumed_slack,
    visits_of,
)
from healthcode.tracing.model.sweep import cover, shares_time
from healthcode.tracing.ports import TracingUnitOfWork
from healthcode.tracing.settings import TracingSettings

# presences begin at most this long before the time range they overlap (rides last at most
# 6 h; a check-in is an instant); location stays in cells may last longer
PLACE_LOOKBACK: Final = timedelta(hours=24)
_BUCKET: Final = timedelta(hours=3)


def _floor(moment: datetime) -> datetime:
    return moment - timedelta(seconds=moment.timestamp() % _BUCKET.total_seconds())


class PlaceReads:
    """Everyone's presences at places, read for one trace and kept, with the times each
    place's read reached; ``check`` (the preview's budget) runs after every read."""

    def __init__(
        self, uow: TracingUnitOfWork, settings: TracingSettings, check: Callable[[], None]
    ) -> None:
        self._uow = uow
        self._settings = settings
        self.check = check
        self._reached: dict[str, tuple[datetime, datetime]] = {}
        self._held: dict[str, dict[str, tuple[Sighting, Visit]]] = defaultdict(dict)

    def query(self, start: datetime, end: datetime) -> OverlapQuery:
        return OverlapQuery(start, end, PLACE_LOOKBACK, assumed_slack(self._settings))

    def held(self, start: datetime, end: datetime) -> set[str]:
        """The places whose read reached all presences that may overlap ``[start, end)``."""
        return {
            place
            for place, (first, last) in self._reached.items()
            if first <= start and end <= last
        }

    def kept(
        self,
        places: Iterable[str],
        query: OverlapQuery,
        subjects: Collection[str] | None = None,
        exclude: Collection[str] = (),
    ) -> list[Visit]:
        """The visits kept at these (held) places that ``query`` reaches, of ``subjects``
        (everyone's by default) but not of ``exclude``."""
        # the repository's conditions on a read (``OverlapQuery``), spelt out in locals: a busy
        # venue holds 160,000 visits, gone through twice
        start, end, lookback, slack = query.start, query.end, query.lookback, query.slack
        earliest, instants_from = start - lookback, start - slack
        return [
            v
            for place in places
            for s, v in self._held[place].values()
            if (subjects is None or s.subject in subjects)
            and s.subject not in exclude
            and earliest <= s.at < end
            and (s.until > start or s.at > instants_from)
        ]

    def met_at(
        self,
        places: Iterable[str],
        query: OverlapQuery,
        subjects: Collection[str],
        exclude: Collection[str],
    ) -> tuple[list[Visit], list[Visit]]:
        """At these (held) places, the visits ``query`` reaches of people not in ``exclude``
        (``subjects`` are), and those of ``subjects`` that share time with one of them: the
        others can meet no one there. One pass over each place (a busy venue: 160,000 visits,
        nearly all of close contacts)."""
        start, end, slack = query.start, query.end, query.slack
        earliest, instants_from = start - query.lookback, start - slack
        others: list[Visit] = []
        met: list[Visit] = []
        for place in places:
            theirs: list[Visit] = []
            own: list[Visit] = []
            # the conditions of ``kept``
            for s, v in self._held[place].values():
                if earliest <= s.at < end and (s.until > start or s.at > instants_from):
                    if s.subject in subjects:
                        own.append(v)
                    elif s.subject not in exclude:
                        theirs.append(v)
            if theirs:
                covered = cover(v.interval for v in theirs)
                others += theirs
                met += [v for v in own if shares_time(v.interval, covered)]
        return others, met

    def around(
        self, spans: Iterable[tuple[str, Interval]], exclude: Collection[str] = ()
    ) -> list[Visit]:
        """Everyone's visits to these places that may overlap these times
        (``(place, interval)``) but those of ``exclude``.

        Places are read together when their times fall in the same few-hour buckets, so the
        read stays close to the times that matter rather than the whole window; a place whose
        earlier read reached the bucket is not read again."""
        hulls: dict[str, Interval] = {}
        for place, span in spans:
            seen = hulls.get(place)
            hulls[place] = (
                span
                if seen is None
                else Interval(min(seen.start, span.start), max(seen.end, span.end))
            )
        buckets: dict[tuple[datetime, datetime], list[str]] = defaultdict(list)
        for place, hull in hulls.items():
            buckets[(_floor(hull.start), _floor(hull.end) + _BUCKET)].append(place)
        found: dict[str, Visit] = {}
        for (start, end), places in sorted(buckets.items()):
            query = self.query(start, end)
            held = self.held(start, end)
            kept = self.kept(held.intersection(places), query, exclude=exclude)
            found.update((v.presence_id, v) for v in kept)
            missing = [place for place in places if place not in held]
            if missing:
                sightings = self._uow.tracing.presences_at(missing, query)
                for sighting, visit in zip(
                    sightings, visits_of(sightings, self._settings), strict=True
                ):
                    if visit.subject not in exclude:
                        found[visit.presence_id] = visit
                    self._held[sighting.place_id][sighting.id] = (sighting, visit)
                for place in missing:
                    self._reached[place] = (start, end)
            self.check()
        return list(found.values())
