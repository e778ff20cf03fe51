"""The instance's state: collecting (an emergency in force) or retired (sunset). One row, read by
every use case that collects personal data through ``require_collecting``: after a sunset the
system takes no new data until four eyes activate it again (docs/sunset.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from healthcode.kernel.errors import DomainError
from healthcode.kernel.uow import UnitOfWork


class Phase(StrEnum):
    COLLECTING = "collecting"
    RETIRED = "retired"


@dataclass(frozen=True, kw_only=True)
class InstanceState:
    """Whether the instance collects; since when and by which proposal; when retired, when
    personal data is purged (``purge_after``) and whether that was done (``purged_at``), with
    the final transparency report kept at the purge (``final_report``)."""

    phase: Phase = Phase.COLLECTING
    changed_at: datetime | None = None
    proposal: str | None = None  # the approved sunset or reactivation that set it
    purge_after: datetime | None = None
    purged_at: datetime | None = None
    final_report: Mapping[str, Any] | None = None

    @property
    def retired(self) -> bool:
        return self.phase is Phase.RETIRED


COLLECTING = InstanceState()
RETIRED_MESSAGE = "system retired: the emergency is over and this instance accepts no new data"


class SystemRetired(DomainError):
    """The instance is retired (sunset): it collects nothing, shows no colour and vouches for
    no code. The API answers 503 with this message (``api.problems``)."""

    def __init__(self) -> None:
        super().__init__(RETIRED_MESSAGE)


class InstanceStateRepository(Protocol):
    def get(self, *, for_update: bool = False) -> InstanceState:
        """The state (collecting if none was ever recorded)."""
        ...

    def save(self, state: InstanceState) -> None: ...


class InstanceUnitOfWork(UnitOfWork, Protocol):
    @property
    def instance(self) -> InstanceStateRepository: ...


def require_collecting(uow: InstanceUnitOfWork) -> None:
    """``SystemRetired`` if the instance is retired: the one check of every use case that
    collects personal data, shows a colour in a code or verifies one."""
    if uow.instance.get().retired:
        raise SystemRetired
