"""Python's garbage collector tuned for a serving process.

With the interpreter's default (a young-generation collection every 700 net allocations) a
busy API process runs collections that walk the whole long-lived heap (the app, the ORM's
mappers, the policy) often enough that a pause every few hundred requests sets the latency
tail: measured with ``bench/http_load.py``, p99 of code display fell from about 220 ms to about
135 ms at 16 connections with only this change (docs/benchmarks.md#the-collector). So a served
process collects its young objects less often, and everything built before it serves is moved
out of the collector's sight (``gc.freeze``): it lives as long as the process anyway."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

OLDER_THRESHOLDS = (20, 100)
"""How many younger collections run before each older one (Python's own are 10 and 10)."""


@contextmanager
def tuned_collector(young_threshold: int) -> Iterator[None]:
    """While serving: collect the young generation every ``young_threshold`` net allocations
    and keep what exists now out of every collection; afterwards, the collector as it was.
    ``0`` leaves the collector alone."""
    if young_threshold == 0:
        yield
        return
    before = gc.get_threshold()
    gc.set_threshold(young_threshold, *OLDER_THRESHOLDS)
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
