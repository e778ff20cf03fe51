"""The adaptive low limit: when critical requests are slow, low-priority work yields (limit 1);
when they are quick again, or nothing comes, the limit climbs back by one a window."""

from __future__ import annotations

import anyio

from healthcode.api.shedding import (
    SLOW_WINDOW_ANSWERS,
    WINDOW_SECONDS,
    Admission,
    Limits,
    Priority,
)

LOW, CRITICAL = Priority.LOW, Priority.CRITICAL
TARGET = 0.025


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def window(self, count: int = 1) -> None:
        self.now += WINDOW_SECONDS * count + 1e-6


def _admission(ticks: Ticks, target: float = TARGET) -> Admission:
    limits = Limits(
        max_in_flight=8,
        low_in_flight=4,
        queue_seconds=0,
        retry_after_seconds=1,
        critical_target_seconds=target,
    )
    return Admission(limits, monotonic=ticks)


def _answered(admission: Admission, *seconds: float) -> None:
    for each in seconds:
        admission.answered_critical(each)


def _fill(admission: Admission, count: int) -> None:
    for _ in range(count):
        assert anyio.run(admission.admit, CRITICAL)


def test_slow_critical_requests_drop_the_low_limit_to_one() -> None:
    """After a window of slow critical answers, one request in flight refuses a low one."""
    ticks = Ticks()
    admission = _admission(ticks)
    _answered(admission, 0.010, 0.090, 0.010, 0.090, 0.050)  # mean 50 ms
    ticks.window()
    _fill(admission, 1)
    assert not anyio.run(admission.admit, LOW)
    assert admission.low_limit == 1


def test_quick_critical_requests_keep_the_full_limit() -> None:
    """Critical requests under the target leave the limit where it is."""
    ticks = Ticks()
    admission = _admission(ticks)
    admission.answered_critical(0.010)
    ticks.window()
    _fill(admission, 3)
    assert anyio.run(admission.admit, LOW)
    assert admission.low_limit == 4


def test_the_limit_climbs_back_by_one_each_quick_window() -> None:
    """After the drop, each window of quick critical requests adds one, up to the setting."""
    ticks = Ticks()
    admission = _admission(ticks)
    _answered(admission, *[0.200] * SLOW_WINDOW_ANSWERS)
    ticks.window()
    limits = []
    for _ in range(5):
        admission.answered_critical(0.005)  # rolls the window before: records the limit
        limits.append(admission.low_limit)
        ticks.window()
    assert limits == [1, 2, 3, 4, 4]


def test_a_quiet_spell_gives_the_full_limit_back() -> None:
    """Windows in which nothing came count as quick: after a quiet second the limit is full."""
    ticks = Ticks()
    admission = _admission(ticks)
    _answered(admission, *[0.200] * SLOW_WINDOW_ANSWERS)
    ticks.window()
    anyio.run(admission.admit, LOW)
    assert admission.low_limit == 1
    ticks.window(10)
    anyio.run(admission.admit, LOW)
    assert admission.low_limit == 4


def test_a_target_of_zero_keeps_the_fixed_limit() -> None:
    """With the target at 0 slow critical requests change nothing."""
    ticks = Ticks()
    admission = _admission(ticks, target=0)
    _answered(admission, *[5.0] * SLOW_WINDOW_ANSWERS)
    ticks.window()
    _fill(admission, 3)
    assert anyio.run(admission.admit, LOW)
    assert admission.low_limit == 4


def test_a_few_slow_critical_requests_are_no_burst() -> None:
    """Fewer slow critical answers in a window than a burst gives leave the full limit."""
    ticks = Ticks()
    admission = _admission(ticks)
    _answered(admission, *[0.500] * (SLOW_WINDOW_ANSWERS - 1))
    ticks.window()
    _fill(admission, 3)
    assert anyio.run(admission.admit, LOW)
    assert admission.low_limit == 4
