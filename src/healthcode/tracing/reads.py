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

from healthcode.presence.venue_kinds import TRANSIT_KINDS
from healthcode.tracing.model.findings import (
    Interval,
    OverlapQuery,
    Sighting,
    Visit,
    assumed_slack,
    visits_of,
)
from healthcode.tracing.model.summary import Instants, instant_reach
from healthcode.tracing.model.sweep import cover, shares_time
from healthcode.tracing.ports import TracingUnitOfWork
from healthcode.tracing.settings import TracingSettings

# presences begin at most this long before the time range they overlap (rides last at most
# 6 h; a check-in is an instant); location stays in cells may last longer
PLACE_LOOKBACK: Final = timedelta(hours=24)
_BUCKET: Final = timedelta(hours=3)
# the presences that are no plain check-in at a venue (``place_class``): rides and cells
_KINDS_APART: Final = sorted({*(str(kind) for kind in TRANSIT_KINDS), "cell"})
_CORRECTION: Final = 2  # ``presence_sql.CORRECTION``


def _floor(moment: datetime) -> datetime:
    return moment - timedelta(seconds=moment.timestamp() % _BUCKET.total_seconds())


class PlaceReads:
    """Everyone's presences at places, read for one trace and kept, with the times each
    place's read reached; ``check`` (the preview's budget) runs after every read. A preview's
    places of plain check-ins are read without their rows (``summarised``)."""

    def __init__(
        self, uow: TracingUnitOfWork, settings: TracingSettings, check: Callable[[], None]
    ) -> None:
        self._uow = uow
        self._settings = settings
        self.check = check
        self._reached: dict[str, tuple[datetime, datetime]] = {}
        self._held: dict[str, dict[str, tuple[Sighting, Visit]]] = defaultdict(dict)
        # places summarised in SQL: the times reached and who was there then
        self._summarised: dict[str, tuple[datetime, datetime, set[str]]] = {}

    def query(self, start: datetime, end: datetime) -> OverlapQuery:
        return OverlapQuery(start, end, PLACE_LOOKBACK, assumed_slack(self._settings))

    def _rows_held(self, start: datetime, end: datetime) -> set[str]:
        return {
            place
            for place, (first, last) in self._reached.items()
            if first <= start and end <= last
        }

    def held(self, start: datetime, end: datetime) -> set[str]:
        """The places whose read reached all presences that may overlap ``[start, end)``
        (with their rows, or summarised)."""
        summarised = {
            place
            for place, (first, last, _) in self._summarised.items()
            if first <= start and end <= last
        }
        return self._rows_held(start, end) | summarised

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
        nearly all of close contacts); a summarised place's are read (``_met_at``)."""
        start, end, slack = query.start, query.end, query.slack
        earliest, instants_from = start - query.lookback, start - slack
        others: list[Visit] = []
        met: list[Visit] = []
        for place in places:
            if place in self._summarised:
                theirs, own = self._met_at(place, query, subjects, exclude)
                others += theirs
                met += own
                continue
            theirs = []
            own = []
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

    def _met_at(
        self, place: str, query: OverlapQuery, subjects: Collection[str], exclude: Collection[str]
    ) -> tuple[list[Visit], list[Visit]]:
        """``met_at`` at a summarised place, whose presences are plain check-ins: the visits of
        those there who are neither ``subjects`` nor excluded, then those of ``subjects`` that
        begin when a check-in can share time with one of theirs (``at`` in ``(start -
        stretch, end)`` of the time they cover; closed ranges read, the rest left here)."""
        people = self._summarised[place][2]
        them = [s for s in sorted(people) if s not in subjects and s not in exclude]
        if not them:
            return [], []
        tracing, settings = self._uow.tracing, self._settings
        theirs = visits_of(tracing.presences_at_times(place, query, subjects=them), settings)
        self.check()
        if not theirs:
            return [], []
        covered = cover(v.interval for v in theirs)
        stretch = timedelta(minutes=settings.venue_assumed_stay_minutes)
        between: list[tuple[datetime, datetime]] = []
        for low, high in zip(covered[0], covered[1], strict=True):
            if between and low - stretch <= between[-1][1]:
                between[-1] = (between[-1][0], high)
            else:
                between.append((low - stretch, high))
        rows = tracing.presences_at_times(place, query, between=between)
        self.check()
        own = [
            v
            for v in visits_of(rows, settings)
            if v.subject in subjects and shares_time(v.interval, covered)
        ]
        return theirs, own

    def summarised(
        self, spans: Iterable[tuple[str, Interval]], least: timedelta
    ) -> tuple[list[Visit], Instants]:
        """``around`` for a preview of a case at places (its ``spans``): a place whose
        presences in the read are all plain check-ins (a busy venue's 160,000) is summarised in
        SQL, per person the earliest and latest check-in that overlaps one of the case's spans
        there by ``least`` (``summary.instant_reach``), instead of read; the other places are
        read as ``around`` reads them (all of a time bucket's when one holds a correction,
        which may supersede a presence at another)."""
        spans = list(spans)
        intervals: dict[str, list[Interval]] = defaultdict(list)
        for place, span in spans:
            intervals[place].append(span)
        stretch = timedelta(minutes=self._settings.venue_assumed_stay_minutes)
        instants: Instants = {}
        rows_at: set[str] = set()
        for (start, end), places in sorted(_buckets(spans).items()):
            query = self.query(start, end)
            found: dict[str, list[tuple[str, datetime | None, datetime | None, int]]] = {}
            for place in places:
                reach = instant_reach(intervals[place], least, stretch)
                found[place] = self._uow.tracing.instants_at(place, query, reach, _KINDS_APART)
                self.check()
            worst = {place: max((p[3] for p in rows), default=0) for place, rows in found.items()}
            if any(w >= _CORRECTION for w in worst.values()):
                rows_at.update(places)
                continue
            for place, people in found.items():
                if worst[place]:
                    rows_at.add(place)
                    continue
                self._summarised[place] = (start, end, {p[0] for p in people})
                kept = [
                    (s, low, high)
                    for s, low, high, _ in people
                    if low is not None and high is not None
                ]
                instants[place] = (stretch, kept)
        read = self.around((place, span) for place, span in spans if place in rows_at)
        return read, instants

    def around(
        self, spans: Iterable[tuple[str, Interval]], exclude: Collection[str] = ()
    ) -> list[Visit]:
        """Everyone's visits to these places that may overlap these times
        (``(place, interval)``) but those of ``exclude``.

        Places are read together when their times fall in the same few-hour buckets, so the
        read stays close to the times that matter rather than the whole window; a place whose
        earlier read reached the bucket is not read again."""
        found: dict[str, Visit] = {}
        for (start, end), places in sorted(_buckets(spans).items()):
            query = self.query(start, end)
            held = self._rows_held(start, end)
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


def _buckets(spans: Iterable[tuple[str, Interval]]) -> dict[tuple[datetime, datetime], list[str]]:
    """The places of ``spans``, by the few-hour buckets their times fall in (from the first
    start to the last end at each place)."""
    hulls: dict[str, Interval] = {}
    for place, span in spans:
        seen = hulls.get(place)
        hulls[place] = (
            span if seen is None else Interval(min(seen.start, span.start), max(seen.end, span.end))
        )
    buckets: dict[tuple[datetime, datetime], list[str]] = defaultdict(list)
    for place, hull in hulls.items():
        buckets[(_floor(hull.start), _floor(hull.end) + _BUCKET)].append(place)
    return buckets
