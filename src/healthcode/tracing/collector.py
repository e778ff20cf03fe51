"""Python's cyclic garbage collector paused while tracing builds its objects.

Tracing a case at a busy venue makes hundreds of thousands of small objects that live until it
ends (visits, intervals, findings, evidence), none of them in a reference cycle: reference
counting frees them all. The cyclic collector, which runs every few hundred allocations and
walks the survivors again and again, took about 40 % of such a trace. It is paused for the
duration and resumed after (where it was running): cyclic garbage made meanwhile is collected
then. The pause is process-wide, so overlapping traces (threads of one API process) share it:
the first to start pauses the collector and the last to end resumes it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_running = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off inside, back on after the last overlapping pause ends if it
    was on before the first began."""
    global _holders, _was_running
    with _lock:
        if _holders == 0:
            _was_running = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_running:
                gc.enable()
