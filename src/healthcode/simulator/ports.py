"""What the simulator needs of the system it drives: the units of work of the features whose use
cases it calls, and a clock it can set (virtual time)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.kernel.clock import Clock
from healthcode.tracing.ports import TracingUnitOfWork


class SimulatorUnitOfWork(IdentityUnitOfWork, TracingUnitOfWork, Protocol):
    """Registering residents and opening the health office's accounts (identity), opening
    venues and recording visits (presence), reporting, confirming and tracing cases (tracing,
    with its jobs)."""


class SettableClock(Clock, Protocol):
    """A clock the simulator moves: every use case it calls sees the virtual time it set."""

    def set(self, at: datetime) -> None: ...
