"""Who a rule finds at one place, with only the span of their contacts: the first contact's
start and the last one's end, without building every contact. Pure.

A preview needs no more than that (who, by which rule and where; when the first contact began,
which opens a close contact's window for secondary contacts; when the last one ended, which
quarantine orders count from), and a case at a busy venue has millions of contacts. The spans
are exactly those of the findings with every contact (``tests/tracing/test_sweep.py``).

With one source (the case, or one close contact) at a place, each visit there is summarised in
``O(log n)`` against the source's ``n`` intervals, whatever the number of contacts: a visit
``[s, e)`` and a source interval ``[a, b)`` make a contact when their overlap, ``min(e, b) -
max(s, a)``, meets the rule's minutes — that is, when each of ``e - s``, ``b - a``, ``e - a``
and ``b - s`` does, as the overlap is the least of the four. So the source's intervals long
enough themselves, sorted by start with the latest end so far, and by end with the earliest
start from there on, give by bisection whether the visit makes any contact, the latest end
among its contacts and the earliest start. With several sources at a place (secondary
contacts: one per close contact), the pairs that share time are met by the sweep and only the
spans are kept.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from itertools import accumulate

from healthcode.tracing.model.findings import (
    Contact,
    Finding,
    Interval,
    PlaceClass,
    TraceRule,
    Visit,
)
from healthcode.tracing.model.sweep import overlapping, sharing

Source = tuple[Interval, str, str | None]
"""A source's interval at a place (clipped to its window), its place kind, and whose it is:
None for the case, the close contact for a secondary contact."""

Candidate = tuple[str, TraceRule, Interval]
"""Someone else at the place: who, by which rule they would be found, their interval."""

Spans = dict[tuple[str | None, str, TraceRule, str], tuple[datetime, datetime, str]]
"""Per ``(via, subject, rule, place)``: the first contact's start, the last one's end, and the
place kind of the source's interval (of the first met)."""

_TABLE = tuple[timedelta, list[datetime], list[datetime], list[datetime], list[datetime]]


def shortest(threshold: float, strictly: bool) -> timedelta:
    """The shortest overlap that counts: more than zero, and ``minutes`` (its seconds / 60, as
    the rules compute it) at least ``threshold`` (more than it, ``strictly``)."""

    def counts(micro: int) -> bool:
        minutes = timedelta(microseconds=micro).total_seconds() / 60
        return minutes > threshold if strictly else minutes >= threshold

    low, high = 1, 1
    while not counts(high):
        low, high = high + 1, high * 2
    while low < high:
        middle = (low + high) // 2
        low, high = (low, middle) if counts(middle) else (middle + 1, high)
    return timedelta(microseconds=low)


def _table(intervals: Sequence[Interval], least: timedelta) -> _TABLE:
    kept = [i for i in intervals if i.end - i.start >= least]
    by_start = sorted(kept)
    by_end = sorted(kept, key=lambda i: i.end)
    starts = [i.start for i in by_start]
    latest_end = list(accumulate((i.end for i in by_start), max))
    ends = [i.end for i in by_end]
    earliest_start = list(accumulate((i.start for i in reversed(by_end)), min))[::-1]
    return least, starts, latest_end, ends, earliest_start


def _note(
    spans: Spans,
    key: tuple[str | None, str, TraceRule, str],
    first: datetime,
    last: datetime,
    kind: str,
) -> None:
    seen = spans.get(key)
    if seen is None:
        spans[key] = (first, last, kind)
    elif first < seen[0] or last > seen[1]:
        spans[key] = (min(first, seen[0]), max(last, seen[1]), seen[2])


def pairable(
    sources: Sequence[Source], candidates: Sequence[Candidate]
) -> tuple[list[Source], list[Candidate], list[Interval], list[Interval]]:
    """The sources and candidates whose intervals share time with one of the other side's
    (``sweep.sharing``: only they can make a pair), in order, and those intervals."""
    own = [source[0] for source in sources]
    theirs = [candidate[2] for candidate in candidates]
    kept_own, kept_theirs = sharing(own, theirs)
    return (
        [sources[i] for i in kept_own],
        [candidates[j] for j in kept_theirs],
        [own[i] for i in kept_own],
        [theirs[j] for j in kept_theirs],
    )


def summarise(
    place: str,
    sources: Sequence[Source],
    candidates: Sequence[Candidate],
    limits: dict[TraceRule, timedelta],
    spans: Spans,
) -> None:
    """Add to ``spans`` the span of the contacts of every ``(via, subject, rule)`` at
    ``place``: the pairs of a source and a candidate whose overlap is at least the candidate's
    rule's ``limits`` (from ``shortest``), met by the sweep (at a place with one source,
    ``summarise_visits`` needs no sweep)."""
    if not sources:
        return
    sources, candidates, own, theirs = pairable(sources, candidates)
    for i, j in overlapping(own, theirs):
        (a, b), kind, via = sources[i]
        subject, rule, (s, e) = candidates[j]
        start = s if s > a else a
        end = e if e < b else b
        if end - start >= limits[rule]:
            _note(spans, (via, subject, rule, place), start, end, kind)


_Single = tuple[_TABLE, str, str | None]
"""One source's table for one rule at a place, with the source's place kind and ``via``."""


def _single(sources: Sequence[Source], least: timedelta) -> _Single | None:
    """The table of ``sources``' intervals for the rule's ``least`` overlap, when they are one
    source's (else None: several, or none)."""
    if len({source[2] for source in sources}) != 1:
        return None
    _, kind, via = sources[0]
    return _table([source[0] for source in sources], least), kind, via


def _single_at(
    singles: dict[tuple[str, TraceRule], _Single | None],
    sources: Mapping[str, Iterable[Source]],
    place_id: str,
    rule: TraceRule,
    limits: Mapping[TraceRule, timedelta],
) -> _Single | None:
    """``_single`` for the rule at the place, worked out once (kept in ``singles``)."""
    key = (place_id, rule)
    if key not in singles:
        singles[key] = _single(list(sources[place_id]), limits[rule])
    return singles[key]


def summarise_visits(
    sources: Mapping[str, Iterable[Source]],
    visits: Iterable[Visit],
    rules: Mapping[PlaceClass, TraceRule],
    limits: Mapping[TraceRule, timedelta],
    exclude: Collection[str],
    spans: Spans,
) -> dict[str, list[Candidate]]:
    """``summarise`` for the ``visits`` at the places of ``sources`` (of a class ``rules``
    names, not of ``exclude``), in one pass: at a place with one source, each visit is
    summarised as it comes, by bisection in the source's table (without a candidate built
    and grouped first: a busy venue's 160,000); the candidates at places with several
    sources are returned, by place, for ``summarise``."""
    several: dict[str, list[Candidate]] = defaultdict(list)
    singles: dict[tuple[str, TraceRule], _Single | None] = {}
    seen_of = spans.get
    # the place and rule of the last visit, and its table
    last_place, last_rule, single = "", TraceRule.VENUE, None
    for _, subject, place_id, _, place, _, _, interval in visits:
        rule = rules.get(place)
        if rule is None or subject in exclude or place_id not in sources:
            continue
        if place_id != last_place or rule != last_rule:  # mostly those of the last visit
            last_place, last_rule = place_id, rule
            single = _single_at(singles, sources, place_id, rule, limits)
        if single is None:
            several[place_id].append((subject, rule, interval))
            continue
        (least, starts, latest_end, ends, earliest_start), kind, via = single
        s, e = interval
        # no limit is zero (``shortest`` is at least a microsecond); min/max spelt out
        if e - s < least:
            continue
        k = bisect_right(starts, e - least)
        if not k:
            continue
        last = latest_end[k - 1]
        if last - s < least:
            continue
        earliest = earliest_start[bisect_left(ends, s + least)]
        first = earliest if earliest > s else s  # max(s, earliest)
        last = e if e <= last else last  # min(e, last)
        key = (via, subject, rule, place_id)
        seen = seen_of(key)
        if seen is None:
            spans[key] = (first, last, kind)
        elif first < seen[0] or last > seen[1]:
            spans[key] = (min(first, seen[0]), max(last, seen[1]), seen[2])
    return several


Instants = dict[str, tuple[timedelta, list[tuple[str, datetime, datetime]]]]
"""The check-ins (instants, each stretched to ``[at, at + stretch)``) at places read in SQL
without their rows: per place, the stretch and, per person, the earliest and latest ``at``
among those that make a contact with the source (``instant_reach``)."""


def instant_reach(
    intervals: Sequence[Interval], least: timedelta, stretch: timedelta
) -> list[tuple[datetime, datetime]]:
    """The times ``at`` (in closed, disjoint ranges, in order) at which an instant stretched to
    ``[at, at + stretch)`` overlaps one of ``intervals`` by at least ``least``: ``at >= a +
    least - stretch`` and ``at <= b - least`` for an interval ``[a, b)`` itself that long (the
    four conditions of the module's docstring; the instant's own is ``stretch >= least``)."""
    if stretch < least:
        return []
    ranges = sorted((a + least - stretch, b - least) for a, b in intervals if b - a >= least)
    merged: list[tuple[datetime, datetime]] = []
    for low, high in ranges:
        if merged and low <= merged[-1][1]:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged


def instant_contacts(
    case_subject: str,
    within: Interval,
    case_visits: Iterable[Visit],
    instants: Instants,
    least: timedelta,
) -> list[Finding]:
    """The venue rule's findings at the places of ``instants`` (the case's venues whose
    presences are all plain check-ins: ``reads.PlaceReads.summarised``), as ``close_contacts``
    without evidence finds them on the rows: the case's visits there clipped to ``within`` are
    the one source, ``least`` is the rule's shortest overlap (``shortest``)."""
    sources: dict[str, list[Source]] = defaultdict(list)
    for v in case_visits:
        clipped = v.interval.overlap(within)
        if v.place is PlaceClass.VENUE and v.place_id in instants and clipped is not None:
            sources[v.place_id].append((clipped, v.place_kind, None))
    spans: Spans = {}
    summarise_instants(sources, instants, TraceRule.VENUE, least, spans, {case_subject})
    found: list[Finding] = []
    for (_, subject, rule, place), (first, last, kind) in sorted(spans.items()):
        span = Interval(first, last)
        found.append(Finding(subject, rule, place, (Contact(place, kind, span, span, span),)))
    return found


def summarise_instants(
    sources: Mapping[str, Sequence[Source]],
    instants: Instants,
    rule: TraceRule,
    least: timedelta,
    spans: Spans,
    exclude: Collection[str],
) -> None:
    """Add to ``spans`` the span of each person's contacts (but ``exclude``'s) at the places of
    ``instants`` with their one source, from the earliest and latest ``at`` of their instants
    that make one.
    As ``at`` grows, so do an instant's first contact start, ``max(at, the earliest start of
    the source intervals ending at or after at + least)``, and last contact end, ``min(at +
    stretch, the latest end of those starting at or before at + stretch - least)``: the
    person's first is the earliest instant's, their last the latest's (exactly
    ``summarise_visits`` on the rows)."""
    for place_id, (stretch, people) in instants.items():
        single = _single(sources.get(place_id, ()), least)
        if single is None:
            continue
        (_, starts, latest_end, ends, earliest_start), kind, via = single
        for subject, low, high in people:
            if subject in exclude:
                continue
            earliest = earliest_start[bisect_left(ends, low + least)]
            last = latest_end[bisect_right(starts, high + stretch - least) - 1]
            first = earliest if earliest > low else low
            end = high + stretch
            _note(spans, (via, subject, rule, place_id), first, last if last < end else end, kind)
