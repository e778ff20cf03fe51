"""What the transparency report reads: counts and times from every feature's tables, never a
name, a reason's text or a place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from healthcode.kernel.uow import UnitOfWork
from healthcode.transparency.dashboard_model import AreaCells, DayDelta
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


class DashboardRepository(Protocol):
    """The console's dashboard and map: counts of one jurisdiction, grouped in SQL."""

    def colours_before(self, jurisdiction: str, before: datetime) -> Mapping[str, int]:
        """How many people held each colour just before ``before`` (their last change)."""
        ...

    def colour_moves(self, jurisdiction: str, bounds: Sequence[datetime]) -> list[DayDelta]:
        """The changes of colour in each bucket ``[bounds[i], bounds[i + 1])``: per colour,
        people arriving minus people leaving."""
        ...

    def cases_by_day(self, jurisdiction: str, bounds: Sequence[datetime]) -> list[DayDelta]:
        """Cases reported (``reported``) and confirmed and not withdrawn (``confirmed``) in
        each bucket."""
        ...

    def quarantines_ending(self, jurisdiction: str, start: datetime, end: datetime) -> int:
        """Orders in force whose planned end falls in ``[start, end)`` and not released."""
        ...

    def flagged_checkins(self, jurisdiction: str) -> int:
        """Check-ins flagged and waiting for review."""
        ...

    def proposals_waiting(self, jurisdiction: str) -> Mapping[str, int]:
        """Four-eyes proposals waiting for a decision, per kind."""
        ...

    def case_cells(
        self, jurisdiction: str, start: datetime, end: datetime, at_least: int
    ) -> Mapping[str, int]:
        """Per H3 cell, the confirmed cases present in it in ``[start, end)``; only cells
        with ``at_least`` cases (the small counts never leave the database)."""
        ...

    def exposure_cells(
        self, jurisdiction: str, start: datetime, end: datetime, at_least: int
    ) -> Mapping[str, int]:
        """Per H3 cell, the people exposed at a place of it in ``[start, end)``; only cells
        with ``at_least`` people."""
        ...

    def risk_areas(self, jurisdiction: str, at: datetime) -> list[AreaCells]:
        """The risk areas in force at ``at`` (published: no personal data)."""
        ...


class TransparencyUnitOfWork(UnitOfWork, Protocol):
    @property
    def transparency(self) -> TransparencyRepository: ...


class DashboardUnitOfWork(UnitOfWork, Protocol):
    @property
    def dashboard(self) -> DashboardRepository: ...
