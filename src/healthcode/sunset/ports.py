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


class SunsetUnitOfWork(TransparencyUnitOfWork, InstanceUnitOfWork, Protocol):
    @property
    def sunset(self) -> SunsetRepository: ...
