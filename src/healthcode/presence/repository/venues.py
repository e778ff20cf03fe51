"""Repositories for organisations, venues, devices, scan batches, check-ins, staff lists and
jurisdiction boundaries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session

from healthcode.db.bulk import insert_each_if_absent, insert_if_absent, key_filters
from healthcode.identity.tables import PersonRow
from healthcode.presence.geo import Boundary, parse_boundaries
from healthcode.presence.model import (
    Checkin,
    Device,
    Organisation,
    StaffMember,
    Venue,
)
from healthcode.presence.tables import (
    BoundaryRow,
    CheckinRow,
    DeviceRow,
    OrganisationRow,
    ScanBatchRow,
    StaffRow,
    UsedLookupRow,
    VenueRow,
)
from healthcode.presence.venue_kinds import VenueKind

_VENUES: Table = VenueRow.__table__  # type: ignore[assignment]


_DEVICES: Table = DeviceRow.__table__  # type: ignore[assignment]


def _venue(row: Any) -> Venue:
    """A venue from its ORM object or a Core row of its table."""
    return Venue(
        id=row.id,
        name_zh=row.name_zh,
        name_en=row.name_en,
        kind=VenueKind(row.kind),
        lat=row.lat,
        lon=row.lon,
        cell=row.cell,
        organisation_id=row.organisation_id,
        jurisdiction=row.jurisdiction,
        created_at=row.created_at,
        code_issued_at=row.code_issued_at,
        place_code=row.place_code,
    )


def _device(row: Any) -> Device:
    return Device(
        id=row.id,
        venue_id=row.venue_id,
        public_key=row.public_key,
        registered_at=row.registered_at,
        active=row.active,
        revoked_at=row.revoked_at,
    )


_CHECKIN_FIELDS = tuple(Checkin.__dataclass_fields__)


_STAFF_FIELDS = tuple(StaffMember.__dataclass_fields__)


def _checkin(row: CheckinRow) -> Checkin:
    return Checkin(**{name: getattr(row, name) for name in _CHECKIN_FIELDS})


def _staff(row: StaffRow) -> StaffMember:
    return StaffMember(**{name: getattr(row, name) for name in _STAFF_FIELDS})


class SqlVenueRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add_organisation(self, organisation: Organisation) -> None:
        self._session.add(OrganisationRow(**vars(organisation)))
        self._session.flush()

    def organisation(self, organisation_id: str) -> Organisation | None:
        row = self._session.get(OrganisationRow, organisation_id)
        return (
            None
            if row is None
            else Organisation(
                id=row.id, name=row.name, jurisdiction=row.jurisdiction, created_at=row.created_at
            )
        )

    def organisations(self, jurisdiction: str) -> list[Organisation]:
        rows = self._session.scalars(
            select(OrganisationRow)
            .where(OrganisationRow.jurisdiction == jurisdiction)
            .order_by(OrganisationRow.created_at, OrganisationRow.id)
        )
        return [
            Organisation(id=r.id, name=r.name, jurisdiction=r.jurisdiction, created_at=r.created_at)
            for r in rows
        ]

    def add_venue(self, venue: Venue) -> None:
        self._session.add(VenueRow(**{**vars(venue), "kind": venue.kind.value}))
        self._session.flush()

    def venue(self, venue_id: str) -> Venue | None:
        # A Core select (no ORM object): every scan batch reads its device and venue.
        row = self._session.execute(select(_VENUES).where(_VENUES.c.id == venue_id)).first()
        return None if row is None else _venue(row)

    def save_venue(self, venue: Venue) -> None:
        row = self._session.get(VenueRow, venue.id)
        if row is None:
            raise KeyError(venue.id)
        for name, value in vars(venue).items():
            setattr(row, name, value.value if name == "kind" else value)
        self._session.flush()

    def venues(self, jurisdiction: str) -> list[Venue]:
        rows = self._session.scalars(
            select(VenueRow)
            .where(VenueRow.jurisdiction == jurisdiction)
            .order_by(VenueRow.created_at, VenueRow.id)
        )
        return [_venue(r) for r in rows]

    def venues_in_cells(self, cells: Iterable[str]) -> list[Venue]:
        found: list[Venue] = []
        for condition in key_filters(self._session, VenueRow.cell, cells):
            found.extend(
                _venue(r) for r in self._session.scalars(select(VenueRow).where(condition))
            )
        return found

    def add_device(self, device: Device) -> None:
        self._session.add(DeviceRow(**vars(device)))
        self._session.flush()

    def revoke_device(self, device_id: str, *, at: datetime) -> None:
        self._session.execute(
            update(DeviceRow)
            .where(DeviceRow.id == device_id, DeviceRow.active.is_(True))
            .values(active=False, revoked_at=at)
        )

    def device(self, device_id: str) -> Device | None:
        row = self._session.execute(select(_DEVICES).where(_DEVICES.c.id == device_id)).first()
        return None if row is None else _device(row)

    def devices_of(self, device_ids: Iterable[str]) -> dict[str, Device]:
        found: dict[str, Device] = {}
        for condition in key_filters(self._session, _DEVICES.c.id, device_ids):
            found.update(
                (r.id, _device(r)) for r in self._session.execute(select(_DEVICES).where(condition))
            )
        return found

    def venues_of(self, venue_ids: Iterable[str]) -> dict[str, Venue]:
        found: dict[str, Venue] = {}
        for condition in key_filters(self._session, _VENUES.c.id, venue_ids):
            found.update(
                (r.id, _venue(r)) for r in self._session.execute(select(_VENUES).where(condition))
            )
        return found

    def add_batch(
        self, *, batch_id: str, device_id: str, received_at: datetime, scans: int, stored: int
    ) -> bool:
        return insert_if_absent(
            self._session,
            ScanBatchRow,
            {
                "id": batch_id,
                "device_id": device_id,
                "received_at": received_at,
                "scans": scans,
                "stored": stored,
            },
        )

    def add_batches(self, batches: Sequence[Mapping[str, Any]]) -> list[bool]:
        inserted = insert_each_if_absent(self._session, ScanBatchRow, batches)
        firsts: list[bool] = []
        for batch in batches:
            firsts.append(batch["id"] in inserted)
            inserted.discard(batch["id"])  # the same batch twice in one call: the first is new
        return firsts

    def use_lookup(self, *, lookup_id: str, device_id: str, expires_at: datetime) -> bool:
        # one statement: of parallel uses of one lookup, exactly one inserts (PostgreSQL makes
        # the others wait for its commit, SQLite runs one writer at a time)
        return insert_if_absent(
            self._session,
            UsedLookupRow,
            {"id": lookup_id, "device_id": device_id, "expires_at": expires_at},
        )

    def add_checkin(self, checkin: Checkin) -> None:
        self._session.add(CheckinRow(**vars(checkin)))
        self._session.flush()

    def checkin(self, checkin_id: str) -> Checkin | None:
        row = self._session.get(CheckinRow, checkin_id)
        return None if row is None else _checkin(row)

    def save_checkin(self, checkin: Checkin) -> None:
        row = self._session.get(CheckinRow, checkin.id)
        if row is None:
            raise KeyError(checkin.id)
        for name, value in vars(checkin).items():
            setattr(row, name, value)
        self._session.flush()

    def checkins_of(self, subject: str) -> list[Checkin]:
        rows = self._session.scalars(
            select(CheckinRow).where(CheckinRow.subject == subject).order_by(CheckinRow.at)
        )
        return [_checkin(r) for r in rows]

    def checkins_in_state(
        self, jurisdiction: str, state: str, *, district: str | None = None
    ) -> list[Checkin]:
        query = select(CheckinRow).where(
            CheckinRow.jurisdiction == jurisdiction, CheckinRow.state == state
        )
        if district is not None:
            query = query.join(PersonRow, PersonRow.subject == CheckinRow.subject).where(
                PersonRow.district == district
            )
        rows = self._session.scalars(query.order_by(CheckinRow.at, CheckinRow.id))
        return [_checkin(r) for r in rows]

    def staff_member(self, organisation_id: str, subject: str) -> StaffMember | None:
        row = self._session.get(StaffRow, (organisation_id, subject))
        return None if row is None else _staff(row)

    def save_staff_member(self, member: StaffMember) -> None:
        row = self._session.get(StaffRow, (member.organisation_id, member.subject))
        if row is None:
            self._session.add(StaffRow(**vars(member)))
        else:
            for name, value in vars(member).items():
                setattr(row, name, value)
        self._session.flush()

    def staff_of(self, organisation_id: str) -> list[StaffMember]:
        rows = self._session.scalars(
            select(StaffRow)
            .where(StaffRow.organisation_id == organisation_id)
            .order_by(StaffRow.listed_at, StaffRow.subject)
        )
        return [_staff(r) for r in rows]

    def employers_of(self, subject: str) -> list[StaffMember]:
        rows = self._session.scalars(
            select(StaffRow).where(StaffRow.subject == subject).order_by(StaffRow.listed_at)
        )
        return [_staff(r) for r in rows]


class SqlBoundaryRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def replace(self, boundaries: Sequence[Boundary], *, source: str, at: datetime) -> None:
        codes = [b.code for b in boundaries]
        self._session.execute(delete(BoundaryRow).where(BoundaryRow.code.in_(codes)))
        for b in boundaries:
            self._session.add(
                BoundaryRow(
                    code=b.code, name=b.name, geometry=b.geometry(), source=source, imported_at=at
                )
            )
        self._session.flush()

    def all(self) -> list[Boundary]:
        rows = self._session.scalars(select(BoundaryRow).order_by(BoundaryRow.code))
        return _boundaries(list(rows))

    def one(self, code: str) -> Boundary | None:
        row = self._session.get(BoundaryRow, code)
        return None if row is None else _boundaries([row])[0]

    def any_imported(self) -> bool:
        return self._session.scalar(select(BoundaryRow.code).limit(1)) is not None


def _boundaries(rows: list[BoundaryRow]) -> list[Boundary]:
    """Boundaries from their rows (their shapes were checked when they were imported)."""
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": r.code, "name": r.name},
                "geometry": r.geometry,
            }
            for r in rows
        ],
    }
    return parse_boundaries(document, check_shapes=False) if rows else []
