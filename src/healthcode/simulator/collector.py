"""Python's cyclic garbage collector tuned for a simulated run.

A run holds a large heap for its whole length (the city: residents, places, schedules; the
epidemic's courses), none of it garbage, while the system it drives makes millions of small
short-lived objects (rows, facts, statuses), freed by reference counting. With the
interpreter's default (a young collection every 700 net allocations, an older one every ten of
those) the collector walks that heap again and again: in a profile, reading 5,000 residents'
cached colours spent longer in the allocations that set a collection off than in SQLite. So a
run collects its young objects less often, and what exists when it starts (the city) is moved
out of the collector's sight (``gc.freeze``), as a served API process does (``api.collector``):
10,000 residents for three days took 35 s of CPU instead of 42 (docs/simulator.md#cost)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

YOUNG_THRESHOLD: Final = 50_000
"""Net allocations between two young collections (Python's own: 700)."""
OLDER_THRESHOLDS: Final = (20, 100)
"""How many younger collections run before each older one (Python's own are 10 and 10)."""


@contextmanager
def collector_tuned() -> Iterator[None]:
    """Inside: young collections every ``YOUNG_THRESHOLD`` net allocations, and what exists
    now kept out of every collection (unless a heap is frozen already: a served process's, left
    as it is); afterwards, the collector as it was."""
    before = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.collect()
        gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if freeze:
            gc.unfreeze()
