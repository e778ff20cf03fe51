"""What cases, tracing, risk areas and quarantines need from storage; ``tracing.repository``
implements it."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from healthcode.kernel.facts import QuarantineOrder
from healthcode.presence.ports import PresenceUnitOfWork
from healthcode.tracing.model.cases import CaseRecord, CaseState
from healthcode.tracing.model.derived import DerivedFact, DerivedHead
from healthcode.tracing.model.findings import OverlapQuery, Sighting
from healthcode.tracing.model.risk_areas import RiskArea


class TracingRepository(Protocol):
    def presences_of(
        self,
        subjects: Sequence[str],
        query: OverlapQuery,
        *,
        skip_places: Collection[str] = (),
    ) -> list[Sighting]:
        """Presences of these people that ``query`` reaches, neither retracted nor
        superseded; none at ``skip_places`` (those the caller holds), unless it supersedes
        another."""
        ...

    def presences_at(
        self,
        place_ids: Iterable[str],
        query: OverlapQuery,
    ) -> list[Sighting]:
        """Presences at these places that ``query`` reaches (as ``presences_of``)."""
        ...

    def presences_at_times(
        self,
        place_id: str,
        query: OverlapQuery,
        *,
        subjects: Collection[str] | None = None,
        between: Sequence[tuple[datetime, datetime]] = (),
    ) -> list[Sighting]:
        """``presences_at`` the place, of ``subjects`` only (when given), beginning in one of
        the closed ranges ``between`` (when given)."""
        ...

    def instants_at(
        self,
        place_id: str,
        query: OverlapQuery,
        ranges: Sequence[tuple[datetime, datetime]],
        kinds_apart: Collection[str],
    ) -> list[tuple[str, datetime | None, datetime | None, int]]:
        """Per person at the place that ``query`` reaches: the earliest and latest ``at`` of
        their plain instants (``until <= at``, of no kind in ``kinds_apart``, no correction)
        in one of ``ranges`` (closed), and what their presences there are at worst
        (``presence_sql.PLAIN``, ``OTHER``, ``CORRECTION``); without reading the rows."""
        ...

    def presences_in_cells(
        self,
        cells: Iterable[str],
        query: OverlapQuery,
    ) -> list[Sighting]:
        """Presences in these H3 cells that ``query`` reaches (as ``presences_of``)."""
        ...

    def presences_on_lines(
        self,
        lines: Iterable[str],
        query: OverlapQuery,
    ) -> list[Sighting]:
        """Rides on any vehicle of these lines — presences whose place id is the trip
        ``<line>:<vehicle>`` — that ``query`` reaches (as ``presences_of``). Read
        by an index range on the place id, not a pattern."""
        ...

    def households(self, subjects: Sequence[str]) -> Mapping[str, list[str]]:
        """Per subject, the other registered people of the same household (same normalised
        home address, same jurisdiction)."""
        ...

    def add_derived(self, facts: Sequence[DerivedFact]) -> None: ...

    def derived_from(self, source_id: str) -> list[DerivedFact]:
        """Every fact derived from the case or risk area, retracted ones too."""
        ...

    def derived_heads(self, source_id: str) -> list[DerivedHead]:
        """Every fact derived from the case or risk area, retracted ones too, in order of fact
        id, without its evidence."""
        ...

    def derived_facts(self, fact_ids: Sequence[str]) -> list[DerivedFact]:
        """The derived facts of these ids, in the order given."""
        ...

    def retract_derived(self, retractions: Mapping[str, str], *, at: datetime) -> None:
        """Mark derived facts retracted: fact id -> the id of the fact retracting it."""
        ...

    def recorded_since(
        self,
        *,
        case_id: str,
        case_subject: str,
        since: datetime,
        before: datetime,
        cells: bool = True,
    ) -> bool:
        """Whether anything the case's trace reads was recorded at or after ``since``: a
        presence (a resident's or a visitor's) beginning at or before ``before`` (a stay in a
        location cell only with ``cells``, unless it corrects another presence), or a person
        registered into the household of the case's person or of someone it traced."""
        ...

    def derived_for(self, subject: str) -> list[DerivedFact]:
        """Everything traced about a person (retracted too), oldest first."""
        ...

    def quarantine_orders(
        self, jurisdiction: str, *, at: datetime, district: str | None = None
    ) -> list[QuarantineOrder]:
        """Orders of the jurisdiction's people (of ``district``'s people only, when given) that
        are in force or planned after ``at`` (neither superseded nor retracted; releases are
        the caller's to check)."""
        ...


class CaseRepository(Protocol):
    def add(self, record: CaseRecord) -> None: ...

    def get(self, case_id: str, *, for_update: bool = False) -> CaseRecord | None: ...

    def save(self, record: CaseRecord) -> None: ...

    def list(
        self, jurisdiction: str, *, state: CaseState | None = None, district: str | None = None
    ) -> list[CaseRecord]:
        """Cases of the jurisdiction (of ``district``'s people only, when given), oldest
        report first."""
        ...


class RiskAreaRepository(Protocol):
    def add(self, area: RiskArea) -> None: ...

    def get(self, area_id: str) -> RiskArea | None: ...

    def end(self, area_id: str, at: datetime) -> None:
        """End the area at ``at`` (one not started yet: its window shrinks to nothing)."""
        ...

    def list(self, jurisdiction: str, *, active_at: datetime | None = None) -> list[RiskArea]: ...


class TracingUnitOfWork(PresenceUnitOfWork, Protocol):
    """What cases, tracing, risk areas and quarantines use (presences to trace, venues a risk
    area names, four eyes, statuses to reassess, jobs to queue)."""

    @property
    def tracing(self) -> TracingRepository: ...

    @property
    def cases(self) -> CaseRepository: ...

    @property
    def risk_areas(self) -> RiskAreaRepository: ...
