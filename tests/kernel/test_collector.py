"""The collector tuned for a long-lived heap while inside, as it was after; 0 leaves it alone,
and a heap frozen by an outer tuning stays frozen."""

from __future__ import annotations

import gc

from healthcode.kernel.collector import OLDER_THRESHOLDS, tuned_collector


def test_the_collector_is_tuned_inside_and_restored_after() -> None:
    """Inside: the young threshold set and the heap frozen; after: thresholds and heap back."""
    before = gc.get_threshold()
    with tuned_collector(12_345):
        assert gc.get_threshold() == (12_345, *OLDER_THRESHOLDS)
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_threshold_of_zero_leaves_the_collector_alone() -> None:
    """0 is the operator's way to keep Python's own collector."""
    before = gc.get_threshold()
    with tuned_collector(0):
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == 0


def test_a_heap_frozen_already_stays_frozen() -> None:
    """Inside a process that froze its heap (a served one), a run's tuning leaves it frozen."""
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with tuned_collector(50_000):
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
