"""What the transparency report reads: counts and times from every feature's tables, never a
name, a reason's text or a place."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from healthcode.kernel.uow import UnitOfWork
from healthcode.transparency.model import AppealTimes, ColourChange, ReadCount


class TransparencyRepository(Protocol):
    def colour_changes(self, before: datetime) -> list[ColourChange]:
        """The status history before ``before``, ordered by time."""
        ...

    def first_record(self) -> datetime | None:
        """The time of the instance's first record (``FIRST_RECORDS``), None if it has none."""
        ...

    def held(self) -> Mapping[str, int]:
        """How many records of each kind of data are held now."""
        ...

    def closed_accounts(self, start: datetime, end: datetime) -> int:
        """Accounts closed (their personal data purged) in ``[start, end)``."""
        ...

    def purged(self, start: datetime, end: datetime) -> Mapping[str, int]:
        """Records deleted by retention purges in ``[start, end)``, per kind."""
        ...

    def reads(self, start: datetime, end: datetime) -> list[ReadCount]:
        """The access log's records in ``[start, end)``, counted by role and purpose."""
        ...

    def overrides(self, start: datetime, end: datetime) -> Mapping[str, int]:
        """Colour overrides recorded in ``[start, end)``, counted by health reason."""
        ...

    def appeals(self, start: datetime, end: datetime) -> list[AppealTimes]:
        """Appeals filed or decided in ``[start, end)``."""
        ...

    def break_glass(self, start: datetime, end: datetime) -> list[tuple[str, int]]:
        """Each break-glass use in ``[start, end)``: what was read and how many people."""
        ...

    def bulk_proposals(self, start: datetime, end: datetime) -> list[tuple[str, str, int | None]]:
        """Each bulk proposal made in ``[start, end)``: its kind, status and people touched."""
        ...


class TransparencyUnitOfWork(UnitOfWork, Protocol):
    @property
    def transparency(self) -> TransparencyRepository: ...
