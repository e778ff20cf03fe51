"""Python's cyclic garbage collector tuned for a process that holds a large long-lived heap
while it makes many short-lived objects: a served API process (the app, the ORM's mappers, the
policy) and a simulated run (the city, the epidemic's courses, while the system it drives makes
rows, facts and statuses by the million).

With the interpreter's default (a young collection every 700 net allocations, an older one
every ten of those) the collector walks that heap again and again. In a served process a pause
every few hundred requests set the latency tail: code display's p99 fell from about 220 ms to
about 135 ms at 16 connections with only this change (docs/benchmarks.md#the-collector). In a
simulated run, reading 5,000 residents' cached colours spent longer in the allocations that set
a collection off than in SQLite; 10,000 residents for three days took 35 s of CPU instead of 42
(docs/simulator.md#cost). So young objects are collected less often, and what exists when the
tuning begins is moved out of the collector's sight (``gc.freeze``): it lives as long as the
process, or the run, anyway."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

OLDER_THRESHOLDS: Final = (20, 100)
"""How many younger collections run before each older one (Python's own are 10 and 10)."""


@contextmanager
def tuned_collector(young_threshold: int) -> Iterator[None]:
    """Inside: young collections every ``young_threshold`` net allocations, and what exists
    now kept out of every collection (unless a heap is frozen already, by an outer tuning: it
    is left as it is); afterwards, the collector as it was. ``0`` leaves the collector alone."""
    if young_threshold == 0:
        yield
        return
    before = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.collect()
        gc.freeze()
    gc.set_threshold(young_threshold, *OLDER_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if freeze:
            gc.unfreeze()
