"""Repositories for venues, devices, batches, check-ins, staff, presences and boundaries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from healthcode.adapters.db.base import Base
from healthcode.adapters.db.fact_mapping import from_row
from healthcode.adapters.db.facts import PresenceRow
from healthcode.adapters.db.people import PersonRow
from healthcode.adapters.db.upsert import insert_if_absent
from healthcode.adapters.db.venues import (
    BoundaryRow,
    CheckinRow,
    DeviceRow,
    OrganisationRow,
    ScanBatchRow,
    StaffRow,
    VenueRow,
)
from healthcode.domain.facts import FactKind, Presence
from healthcode.domain.geo import Boundary, parse_boundaries
from healthcode.domain.venues import VenueKind
from healthcode.services.presence_ports import (
    Checkin,
    Device,
    Organisation,
    StaffMember,
    Venue,
)

LOCATION_SOURCES = ("gps", "telecom")
_IN_CHUNK = 900  # below SQLite's default limit of bound parameters


def _venue(row: VenueRow) -> Venue:
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


_CHECKIN_FIELDS = tuple(Checkin.__dataclass_fields__)
_STAFF_FIELDS = tuple(StaffMember.__dataclass_fields__)


def _checkin(row: CheckinRow) -> Checkin:
    return Checkin(**{name: getattr(row, name) for name in _CHECKIN_FIELDS})


def _staff(row: StaffRow) -> StaffMember:
    return StaffMember(**{name: getattr(row, name) for name in _STAFF_FIELDS})


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = list(dict.fromkeys(values))
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


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
        row = self._session.get(VenueRow, venue_id)
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
        for chunk in _chunks(cells):
            found.extend(
                _venue(r)
                for r in self._session.scalars(select(VenueRow).where(VenueRow.cell.in_(chunk)))
            )
        return found

    def add_device(self, device: Device) -> None:
        self._session.add(DeviceRow(**vars(device)))
        self._session.flush()

    def device(self, device_id: str) -> Device | None:
        row = self._session.get(DeviceRow, device_id)
        return (
            None
            if row is None
            else Device(
                id=row.id,
                venue_id=row.venue_id,
                public_key=row.public_key,
                registered_at=row.registered_at,
                active=row.active,
            )
        )

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

    def checkins_in_state(self, jurisdiction: str, state: str) -> list[Checkin]:
        rows = self._session.scalars(
            select(CheckinRow)
            .where(CheckinRow.jurisdiction == jurisdiction, CheckinRow.state == state)
            .order_by(CheckinRow.at, CheckinRow.id)
        )
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


class SqlPresenceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def insert_rows(self, rows: Sequence[Mapping[str, Any]]) -> int:
        if not rows:
            return 0
        table: Table = PresenceRow.__table__  # type: ignore[assignment]
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(table).on_conflict_do_nothing(index_elements=["id"])
        # executemany through insertmanyvalues: a few multi-row INSERTs per batch; RETURNING
        # gives back only the rows that were new, so duplicates are counted, not guessed.
        result = self._session.execute(statement.returning(table.c.id), list(rows))
        return len(result.all())

    def known_subjects(self, subjects: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(subjects):
            found.update(
                self._session.scalars(select(PersonRow.subject).where(PersonRow.subject.in_(chunk)))
            )
        return found

    def fact_ids(self, table: str, ids: Iterable[str]) -> set[str]:
        fact_table: Table = Base.metadata.tables[table]
        found: set[str] = set()
        for chunk in _chunks(ids):
            found.update(
                self._session.scalars(select(fact_table.c.id).where(fact_table.c.id.in_(chunk)))
            )
        return found

    def stays_of(self, subject: str, *, since: datetime) -> list[Presence]:
        rows = self._session.scalars(
            select(PresenceRow)
            .where(
                PresenceRow.subject == subject,
                PresenceRow.source.in_(LOCATION_SOURCES),
                PresenceRow.until >= since,
            )
            .order_by(PresenceRow.at, PresenceRow.id)
        )
        return [_presence(r) for r in rows]

    def last_stay_before(self, subject: str, at: datetime) -> Presence | None:
        row = self._session.scalars(
            select(PresenceRow)
            .where(
                PresenceRow.subject == subject,
                PresenceRow.source.in_(LOCATION_SOURCES),
                PresenceRow.at < at,
            )
            .order_by(PresenceRow.at.desc(), PresenceRow.id.desc())
            .limit(1)
        ).first()
        return None if row is None else _presence(row)


def _presence(row: PresenceRow) -> Presence:
    fact = from_row(FactKind.PRESENCE, row)
    assert isinstance(fact, Presence)
    return fact


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
        return parse_boundaries(document) if document["features"] else []
