"""What the sunset's purge needs from storage; ``sunset.repository`` implements it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from healthcode.oversight.instance import InstanceUnitOfWork
from healthcode.transparency.ports import TransparencyUnitOfWork


class SunsetRepository(Protocol):
    def purge_personal_data(self) -> Mapping[str, int]:
        """Delete every record that holds or points at a person (people, their facts,
        presences, check-ins, logins, texts, scan batches…); rows deleted per table."""
        ...

    def erase_free_text(self) -> Mapping[str, int]:
        """Replace officials' free text in the tables that stay (proposals' reasons, notes and
        payload texts, break-glass reasons, stated purposes in the access log) with the
        placeholder; rows rewritten per table."""
        ...


class SunsetUnitOfWork(TransparencyUnitOfWork, InstanceUnitOfWork, Protocol):
    @property
    def sunset(self) -> SunsetRepository: ...
