"""A measured run tunes Python's collector while it plays and leaves it as it was after."""

from __future__ import annotations

import gc

from healthcode.simulator.collector import OLDER_THRESHOLDS, YOUNG_THRESHOLD, collector_tuned


def test_the_collector_is_tuned_while_a_run_plays_and_restored_after() -> None:
    """Inside: the young threshold set and the heap frozen; after: thresholds and heap back."""
    before = gc.get_threshold()
    with collector_tuned():
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_heap_frozen_already_stays_frozen() -> None:
    """Inside a process that froze its heap (a served one), the run leaves it frozen."""
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector_tuned():
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
