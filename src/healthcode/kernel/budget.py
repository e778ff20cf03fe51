"""Time budgets: work that stops with a clear refusal once it has run too long.

    deadline = TimeBudget(10).start("checking the policy", field="policy")
    for rule in rules:
        deadline.check()   # TookTooLong: "policy: checking the policy took longer than 10 s"

Elapsed time is read from a monotonic counter (``kernel.clock.monotonic`` unless one is given),
never from the ``Clock``, whose time may be fixed or set back; a test passes a counter of its
own and so never depends on how fast the machine is.
"""

from __future__ import annotations

from dataclasses import dataclass

from healthcode.kernel import clock
from healthcode.kernel.clock import Monotonic
from healthcode.kernel.errors import InvalidInput, Problem


@dataclass
class TookTooLong(InvalidInput):
    """Work was stopped because it ran past its time budget; nothing it did was kept."""


@dataclass(frozen=True)
class TimeBudget:
    """How long some work may run, and the counter that measures it (None: the system's)."""

    seconds: float
    monotonic: Monotonic | None = None

    def start(self, what: str, *, field: str, advice: str = "") -> Deadline:
        """A deadline ``seconds`` from now for ``what`` (words: "checking the policy"), refused
        on ``field``, the refusal ending with ``advice`` when given (what to do instead)."""
        read = self.monotonic or clock.monotonic
        message = f"{what} took longer than {self.seconds:g} s and was stopped"
        refusal = Problem(field, f"{message}: {advice}" if advice else message)
        return Deadline(read, ends=read() + self.seconds, refusal=refusal)


class Deadline:
    """The moment a piece of work must stop by; ``check`` refuses once it has passed."""

    def __init__(self, read: Monotonic, *, ends: float, refusal: Problem) -> None:
        self._read, self._ends, self._refusal = read, ends, refusal

    def check(self) -> None:
        """Raise ``TookTooLong`` if the deadline has passed."""
        if self._read() > self._ends:
            raise TookTooLong([self._refusal])
