"""What cases, tracing, risk areas, quarantines and the worker need from storage. Adapters
implement these Protocols; ``UnitOfWork`` exposes them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from healthcode.domain.cases import CaseRecord, CaseState
from healthcode.domain.facts import Colour, Fact, FactKind, QuarantineOrder
from healthcode.domain.jobs import Job, JobStatus
from healthcode.domain.risk_areas import RiskArea
from healthcode.domain.status import Status
from healthcode.domain.tracing import Sighting
from healthcode.services.access_ports import OutboxMessage

if TYPE_CHECKING:  # ports imports this module
    from healthcode.services.ports import StatusChange


@dataclass(frozen=True, kw_only=True)
class DerivedFact:
    """A fact tracing recorded (an exposure or a quarantine order), the case or risk area it
    follows from, and its evidence (place, both intervals, overlap, rule) as JSON values."""

    fact_id: str
    key: str  # the evidence's deterministic key: the same finding traced again has the same key
    kind: str  # exposure | quarantine_order
    source_kind: str  # case | risk_area
    source_id: str
    subject: str
    rule: str
    category: str
    evidence: Mapping[str, Any]
    created_at: datetime
    retracted_at: datetime | None = None
    retracted_by: str | None = None  # the retraction fact


class TracingRepository(Protocol):
    def presences_of(
        self,
        subjects: Sequence[str],
        *,
        start: datetime,
        end: datetime,
        lookback: timedelta,
        slack: timedelta = timedelta(0),
    ) -> list[Sighting]:
        """Presences of these people that may overlap ``[start, end)``: beginning in
        ``[start - lookback, end)`` and ending after ``start`` — or, for instants, beginning
        less than ``slack`` before it. Neither retracted nor superseded."""
        ...

    def presences_at(
        self,
        place_ids: Iterable[str],
        *,
        start: datetime,
        end: datetime,
        lookback: timedelta,
        slack: timedelta = timedelta(0),
    ) -> list[Sighting]:
        """Presences at these places that may overlap ``[start, end)`` (as ``presences_of``)."""
        ...

    def presences_in_cells(
        self,
        cells: Iterable[str],
        *,
        start: datetime,
        end: datetime,
        lookback: timedelta,
        slack: timedelta = timedelta(0),
    ) -> list[Sighting]:
        """Presences in these H3 cells that may overlap ``[start, end)``."""
        ...

    def presences_on_lines(
        self,
        lines: Iterable[str],
        *,
        start: datetime,
        end: datetime,
        lookback: timedelta,
        slack: timedelta = timedelta(0),
    ) -> list[Sighting]:
        """Rides on any vehicle of these lines — presences whose place id is the trip
        ``<line>:<vehicle>`` — that may overlap ``[start, end)`` (as ``presences_of``). Read
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

    def retract_derived(self, retractions: Mapping[str, str], *, at: datetime) -> None:
        """Mark derived facts retracted: fact id -> the id of the fact retracting it."""
        ...

    def derived_for(self, subject: str) -> list[DerivedFact]:
        """Everything traced about a person (retracted too), oldest first."""
        ...

    def quarantine_orders(self, jurisdiction: str, *, at: datetime) -> list[QuarantineOrder]:
        """Orders of the jurisdiction's people that are in force or planned after ``at``
        (neither superseded nor retracted; releases are the caller's to check)."""
        ...


class CaseRepository(Protocol):
    def add(self, record: CaseRecord) -> None: ...

    def get(self, case_id: str, *, for_update: bool = False) -> CaseRecord | None: ...

    def save(self, record: CaseRecord) -> None: ...

    def list(self, jurisdiction: str, *, state: CaseState | None = None) -> list[CaseRecord]: ...


class RiskAreaRepository(Protocol):
    def add(self, area: RiskArea) -> None: ...

    def get(self, area_id: str) -> RiskArea | None: ...

    def list(self, jurisdiction: str, *, active_at: datetime | None = None) -> list[RiskArea]: ...


class JobRepository(Protocol):
    def enqueue(self, job: Job) -> bool:
        """Queue a job unless one with its dedup key exists; True if it was queued."""
        ...

    def claim(
        self, *, now: datetime, worker: str, lease_until: datetime, kind: str | None = None
    ) -> Job | None:
        """Take the oldest due job (pending and due, or running with an expired lease), of
        ``kind`` if given, for ``worker`` until ``lease_until``; None when nothing is due.
        Never hands one job to two workers at once (row locks with SKIP LOCKED on PostgreSQL)."""
        ...

    def lock(self, job_id: str, *, worker: str) -> Job | None:
        """Lock the job's row for this transaction if ``worker`` still holds its lease."""
        ...

    def finish(self, job_id: str, *, at: datetime) -> None: ...

    def fail(
        self, job_id: str, *, worker: str, error: str, retry_at: datetime | None, at: datetime
    ) -> None:
        """Record a failed attempt: due again at ``retry_at``, or failed for good if None."""
        ...

    def get(self, job_id: str) -> Job | None: ...

    def list(self, *, status: JobStatus | None = None, limit: int = 100) -> list[Job]: ...

    def counts(self) -> Mapping[str, int]:
        """How many jobs are in each status."""
        ...


class StatusHead(NamedTuple):
    """What reassessing needs of a cached status (not its reasons)."""

    colour: Colour
    valid_until: datetime | None
    policy_version: str


class StatusBatchRepository(Protocol):
    """Bulk reads and writes for reassessing many people in one transaction."""

    def jurisdictions(self, subjects: Sequence[str]) -> Mapping[str, str]: ...

    def facts(self, subjects: Sequence[str], kinds: Iterable[FactKind]) -> Mapping[str, list[Fact]]:
        """Per subject, their facts of these kinds in (at, id) order."""
        ...

    def add_facts(self, facts: Sequence[Fact]) -> None:
        """Append facts (any kinds) in a few statements."""
        ...

    def heads(self, subjects: Sequence[str]) -> Mapping[str, StatusHead]:
        """Per subject with a cached status: its colour, ``valid_until`` and policy version."""
        ...

    def save_current(self, statuses: Sequence[Status]) -> None: ...

    def add_changes(self, changes: Sequence[StatusChange]) -> list[StatusChange]:
        """Record colour changes; returns them with their ids, in the same order."""
        ...

    def bindings(self, subjects: Sequence[str]) -> Mapping[str, list[tuple[str, str]]]:
        """Per subject, (channel id, channel user id) of the active channels it is bound to."""
        ...

    def add_outbox(self, messages: Sequence[OutboxMessage]) -> int:
        """Queue messages for changes recorded in this transaction (their keys are new)."""
        ...
