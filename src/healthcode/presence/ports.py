"""What the presence use cases (venues, check-ins, scans, transit, locations, employers, retention)
need from storage; ``presence.repository`` implements it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from healthcode.codes.ports import CodesUnitOfWork
from healthcode.federation.ports import PeerRepository
from healthcode.federation.visitors_ports import VisitorRepository
from healthcode.jobs.ports import JobsUnitOfWork
from healthcode.kernel.facts import Presence
from healthcode.presence.geo import Boundary
from healthcode.presence.model import Checkin, Device, Organisation, StaffMember, Venue


class VenueRepository(Protocol):
    def add_organisation(self, organisation: Organisation) -> None: ...

    def organisation(self, organisation_id: str) -> Organisation | None: ...

    def organisations(self, jurisdiction: str) -> list[Organisation]: ...

    def add_venue(self, venue: Venue) -> None: ...

    def venue(self, venue_id: str) -> Venue | None: ...

    def save_venue(self, venue: Venue) -> None: ...

    def venues(self, jurisdiction: str) -> list[Venue]: ...

    def venues_in_cells(self, cells: Iterable[str]) -> list[Venue]: ...

    def add_device(self, device: Device) -> None: ...

    def device(self, device_id: str) -> Device | None: ...

    def devices_of(self, device_ids: Iterable[str]) -> dict[str, Device]:
        """The devices of those ids that are registered, by id (one statement or a few)."""
        ...

    def venues_of(self, venue_ids: Iterable[str]) -> dict[str, Venue]:
        """The venues of those ids, by id (one statement or a few)."""
        ...

    def revoke_device(self, device_id: str, *, at: datetime) -> None:
        """Mark the device revoked (inactive) at ``at``; a revoked one stays as it was."""
        ...

    def add_batch(
        self, *, batch_id: str, device_id: str, received_at: datetime, scans: int, stored: int
    ) -> bool:
        """Record a received batch; False when a batch with this id was received before."""
        ...

    def add_batches(self, batches: Sequence[Mapping[str, Any]]) -> list[bool]:
        """``add_batch`` of many (each a mapping of its arguments) in a few statements: each
        batch's answer, in order."""
        ...

    def use_lookup(self, *, lookup_id: str, device_id: str, expires_at: datetime) -> bool:
        """Record a signed lookup as answered, atomically; False when it was used before."""
        ...

    def add_checkin(self, checkin: Checkin) -> None: ...

    def checkin(self, checkin_id: str) -> Checkin | None: ...

    def save_checkin(self, checkin: Checkin) -> None: ...

    def checkins_of(self, subject: str) -> list[Checkin]: ...

    def checkins_in_state(
        self, jurisdiction: str, state: str, *, district: str | None = None
    ) -> list[Checkin]:
        """Check-ins of the jurisdiction in ``state`` (of ``district``'s people only, when
        given), oldest first."""
        ...

    def staff_member(self, organisation_id: str, subject: str) -> StaffMember | None: ...

    def save_staff_member(self, member: StaffMember) -> None: ...

    def staff_of(self, organisation_id: str) -> list[StaffMember]: ...

    def employers_of(self, subject: str) -> list[StaffMember]: ...


class PresenceRepository(Protocol):
    def insert_rows(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert presence rows (plain dicts of the table's columns), skipping any whose id is
        stored already; returns how many were new. One bulk statement, no ORM objects.
        Raises ``UnknownSubjects`` when a row's subject is not registered: the batch is then
        refused whole and the transaction must not commit."""
        ...

    def known_subjects(self, subjects: Iterable[str]) -> set[str]:
        """Those of ``subjects`` that are registered people."""
        ...

    def fact_ids(self, table: str, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` stored already in the fact table ``table``."""
        ...

    def stays_of(self, subject: str, *, since: datetime) -> list[Presence]:
        """The person's location stays (gps, telecom) that end at or after ``since``."""
        ...

    def last_stay_before(self, subject: str, at: datetime) -> Presence | None: ...

    def last_stays_before(self, firsts: Mapping[str, datetime]) -> dict[str, Presence]:
        """Each person's last location stay begun before their own moment (absent: none)."""
        ...

    def last_places_before(self, firsts: Mapping[str, datetime]) -> dict[str, str | None]:
        """Where each of those stays was: its cell, else its place (absent: no stay)."""
        ...


class BoundaryRepository(Protocol):
    def replace(self, boundaries: Sequence[Boundary], *, source: str, at: datetime) -> None:
        """Store ``boundaries``, replacing any held with the same codes."""
        ...

    def all(self) -> list[Boundary]: ...

    def one(self, code: str) -> Boundary | None:
        """The imported boundary of ``code`` (None when none is)."""
        ...

    def any_imported(self) -> bool:
        """Whether any boundary has been imported (if not, the bundled ones are in use)."""
        ...


class RetentionRepository(Protocol):
    """Deleting what policy no longer lets us keep."""

    def jurisdictions(self) -> list[str]:
        """Every jurisdiction that has registered people."""
        ...

    def create_day_partitions(self, *, first: date, days: int) -> int:
        """Make sure presences has a partition for each of ``days`` UTC days from ``first``
        (PostgreSQL; nothing on an unpartitioned store); how many it created."""
        ...

    def day_partitions(self) -> list[date]:
        """The UTC days presences has a partition of, oldest first (none when unpartitioned)."""
        ...

    def drop_day_partition(self, *, day: date, ended_before: datetime) -> int | None:
        """Drop the day's partition whole if every presence in it ended before the moment;
        how many presences it held, or None when it was kept."""
        ...

    def delete_presences(self, *, jurisdiction: str, ended_before: datetime) -> int:
        """Delete the presences of the jurisdiction's people that ended before the moment;
        how many."""
        ...

    def delete_checkins(self, *, jurisdiction: str, before: datetime) -> int:
        """Delete the jurisdiction's check-in records (with their coordinates) older than the
        moment; how many."""
        ...

    def delete_used_lookups(self, *, expired_before: datetime) -> int:
        """Forget the signed lookups whose time is out of the accepted window; how many."""
        ...

    def record_purge(self, *, at: datetime, counts: Mapping[str, int]) -> None:
        """Keep how many records of each kind were deleted at ``at`` (kinds with none are not
        kept)."""
        ...


class PresenceUnitOfWork(CodesUnitOfWork, JobsUnitOfWork, Protocol):
    """What venues, check-ins, scans, rides, locations, employers and retention use (place codes
    are signed with the jurisdiction's keys; check-ins answer with the status now; a flagged
    check-in read by an official is written to the access log)."""

    @property
    def venues(self) -> VenueRepository: ...

    @property
    def presences(self) -> PresenceRepository: ...

    @property
    def peers(self) -> PeerRepository: ...

    @property
    def visitors(self) -> VisitorRepository:
        """Visitors' presences and the messages carrying their exposures home."""
        ...

    @property
    def boundaries(self) -> BoundaryRepository: ...

    @property
    def retention(self) -> RetentionRepository: ...
