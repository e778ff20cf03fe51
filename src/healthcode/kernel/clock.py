"""Time, the one way it enters the system: the ``Clock`` port, the real clock, and a settable one
for tests, scenarios and the simulator (virtual time). Nothing else reads the wall clock.

``monotonic`` is the other kind of time: seconds that never go back, for measuring how long work
has run (``kernel.budget``), never for saying what time it is."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

Monotonic = Callable[[], float]
"""Seconds since an arbitrary start, never going back."""


def monotonic() -> float:
    """The system's monotonic counter, in seconds."""
    return time.monotonic()


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that says what it is told; ``advance`` moves it (virtual time)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware time")
        self._at = at

    def now(self) -> datetime:
        return self._at.astimezone(UTC)

    def set(self, at: datetime) -> None:
        self._at = at

    def advance(self, delta: timedelta) -> None:
        self._at += delta
