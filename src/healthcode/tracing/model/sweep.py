"""Which intervals of one list share time with which of another: a sweep over sorted starts.

Both lists are sorted by start (``O((n + m) log(n + m))``) and walked in that order; the
intervals of each list that have begun and not yet ended are kept in a heap by their end. When an
interval begins, the other list's intervals that ended by then leave their heap, and every one
still in it shares time with the new one: each pair is met once, when the later of the two
begins, so the work is the sorting plus the pairs found. Matching every interval of one list
against every interval of the other took ``n × m`` steps (156,000 scans at a venue against a
case's 520 there: 81 million).

Intervals are half-open, ``[start, end)``: two that only touch share no time, and an empty one
(``end <= start``) shares time with nothing. Pure.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from heapq import heappop, heappush

from healthcode.tracing.model.findings import Interval

Open = list[tuple[datetime, int]]
"""The intervals of one list that have begun and not ended, as ``(end, index)`` in a heap."""


def _by_start(intervals: Sequence[Interval]) -> list[int]:
    """Indexes of the non-empty intervals, by start."""
    kept = [i for i, interval in enumerate(intervals) if interval.end > interval.start]
    key: Callable[[int], datetime] = lambda i: intervals[i].start  # noqa: E731 - a sort key
    return sorted(kept, key=key)


def sweep(
    first: Sequence[Interval], second: Sequence[Interval]
) -> Iterator[tuple[bool, int, Open]]:
    """For each interval as it begins, in order of start: whether it is of ``first``, its
    index, and the other list's intervals open then, every one of which shares time with it.

    The open heap is the sweep's own and changes as the sweep goes on: read it before asking
    for the next interval, never keep it."""
    a, b = _by_start(first), _by_start(second)
    open_a: Open = []
    open_b: Open = []
    i = j = 0
    while i < len(a) or j < len(b):
        if j == len(b) or (i < len(a) and first[a[i]].start <= second[b[j]].start):
            index = a[i]
            start, end = first[index]
            i += 1
            while open_b and open_b[0][0] <= start:
                heappop(open_b)
            yield True, index, open_b
            heappush(open_a, (end, index))
        else:
            index = b[j]
            start, end = second[index]
            j += 1
            while open_a and open_a[0][0] <= start:
                heappop(open_a)
            yield False, index, open_a
            heappush(open_b, (end, index))


def overlapping(first: Sequence[Interval], second: Sequence[Interval]) -> Iterator[tuple[int, int]]:
    """Every pair ``(i, j)`` such that ``first[i]`` and ``second[j]`` share time, once each."""
    for is_first, index, others in sweep(first, second):
        for _, other in others:
            yield (index, other) if is_first else (other, index)


Cover = tuple[list[datetime], list[datetime]]
"""Time covered by some intervals, as disjoint intervals in order: their starts, their ends."""


def cover(intervals: Iterable[Interval]) -> Cover:
    """The time the non-empty ``intervals`` cover."""
    starts: list[datetime] = []
    ends: list[datetime] = []
    for start, end in sorted(i for i in intervals if i.end > i.start):
        if ends and start <= ends[-1]:
            if end > ends[-1]:
                ends[-1] = end
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def shares_time(interval: Interval, covered: Cover) -> bool:
    """Whether ``interval`` shares time with the covered time (``O(log n)``)."""
    start, end = interval
    starts, ends = covered
    k = bisect_left(starts, end)
    return k > 0 and ends[k - 1] > start and end > start


def sharing(first: Sequence[Interval], second: Sequence[Interval]) -> tuple[list[int], list[int]]:
    """Indexes, in order, of the intervals of each list that share time with some interval of
    the other: only they can make a pair. A busy venue's 156,000 visits of close contacts
    against the few hundred of people who are none (secondary contacts) leave only those
    that meet the few hundred's times to sweep."""
    covered = cover(second)
    kept = [i for i, interval in enumerate(first) if shares_time(interval, covered)]
    covered = cover(first[i] for i in kept)
    return kept, [j for j, interval in enumerate(second) if shares_time(interval, covered)]
