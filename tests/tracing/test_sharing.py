"""What a sweep may skip: the intervals of each side that share no time with the other's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from healthcode.tracing.model.findings import Interval
from healthcode.tracing.model.sweep import cover, shares_time, sharing

T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
intervals = st.builds(
    lambda start, length: Interval(
        T0 + timedelta(microseconds=start), T0 + timedelta(microseconds=start + length)
    ),
    st.integers(0, 6 * 10**6),
    st.integers(-(10**6), 3 * 10**6),  # empty and reversed intervals too
)


@settings(max_examples=400, deadline=None)
@given(st.lists(intervals, max_size=30), st.lists(intervals, max_size=30))
def test_sharing_keeps_exactly_the_intervals_of_some_pair(
    first: list[Interval], second: list[Interval]
) -> None:
    """Each side keeps, in order, exactly its intervals that share time with one of the other."""
    pairs = [
        (i, j)
        for i, a in enumerate(first)
        for j, b in enumerate(second)
        if a.overlap(b) is not None
    ]
    assert sharing(first, second) == (
        sorted({i for i, _ in pairs}),
        sorted({j for _, j in pairs}),
    )


@settings(max_examples=400, deadline=None)
@given(st.lists(intervals, max_size=30), intervals)
def test_an_interval_shares_time_with_a_cover_when_with_one_of_its_intervals(
    covering: list[Interval], interval: Interval
) -> None:
    """Touching intervals merged into one run change nothing: half-open times still hold."""
    expected = any(interval.overlap(c) is not None for c in covering)
    assert shares_time(interval, cover(covering)) is expected
