"""A time budget on tracing previews: a preview that runs past it stops with a clear refusal
instead of holding a core (any official may ask for one; the worker's tracing has no budget).

Elapsed time is read from a monotonic source (``time.monotonic`` unless one is given), never the
wall clock: it measures how long the work took, not what time it is.
"""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic

from healthcode.kernel.errors import InvalidInput, Problem


class PreviewTooLong(InvalidInput):
    """A tracing preview ran past its time budget and was stopped; nothing was recorded."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            [
                Problem(
                    "case_id",
                    f"tracing preview took longer than {seconds:g} s (its time budget) and was "
                    "stopped: the case touches too many presences to preview; confirming it "
                    "traces it in the background",
                )
            ]
        )
        self.seconds = seconds


class Budget:
    """``seconds`` from now on the time source; ``check`` refuses once they have passed."""

    def __init__(self, seconds: float, *, time_source: Callable[[], float] | None = None) -> None:
        self.seconds = seconds
        self._now = time_source or monotonic
        self._ends = self._now() + seconds

    def check(self) -> None:
        """Raise ``PreviewTooLong`` if the budget is spent."""
        if self._now() > self._ends:
            raise PreviewTooLong(self.seconds)


def unlimited() -> None:
    """The check of no budget: tracing a confirmed case runs to the end."""
