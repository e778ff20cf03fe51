"""Python's cyclic garbage collector paused while tracing builds its objects.

Tracing a case at a busy venue makes hundreds of thousands of small objects that live until it
ends (visits, intervals, findings, evidence), none of them in a reference cycle: reference
counting frees them all. The cyclic collector, which runs every few hundred allocations and
walks the survivors again and again, took about 40 % of such a trace. It is paused for the
duration and resumed after (where it was running): cyclic garbage made meanwhile is collected
then. The pause is process-wide; a trace that overlaps another leaves it to whichever started
first to resume it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off inside, back on after if it was on before."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()
