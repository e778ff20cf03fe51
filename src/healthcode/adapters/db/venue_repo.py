"""Repositories for venues, devices, batches, check-ins, staff, presences and boundaries."""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from healthcode.adapters.db.base import Base
from healthcode.adapters.db.bulk import chunks, key_filters
from healthcode.adapters.db.fact_mapping import from_row
from healthcode.adapters.db.facts import PresenceRow
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
    UnknownSubjects,
    Venue,
)

LOCATION_SOURCES = ("gps", "telecom")


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

    def device(self, device_id: str) -> Device | None:
        row = self._session.execute(select(_DEVICES).where(_DEVICES.c.id == device_id)).first()
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
        """Bulk insert-if-absent straight through the database driver (no per-row SQLAlchemy
        parameter processing: at 1,000 rows a batch that is most of the cost), in the unit of
        work's transaction. SQLite: one ``executemany`` of INSERT … ON CONFLICT DO NOTHING, new
        rows counted by the change counter. PostgreSQL: a binary COPY in a savepoint, falling
        back to INSERT … SELECT … ON CONFLICT DO NOTHING from a temporary table when some rows
        are held already (see ``_copy_insert``)."""
        if not rows:
            return 0
        raw: Any = self._session.connection().connection.driver_connection
        if self._session.get_bind().dialect.name == "postgresql":
            return _copy_insert(raw, rows)
        try:
            return _sqlite_insert(raw, rows)
        except sqlite3.IntegrityError:  # a foreign key: name the people it is about
            known = self.known_subjects(row["subject"] for row in rows)
            unknown = {row["subject"] for row in rows} - known
            if not unknown:
                raise
            raise UnknownSubjects(unknown) from None

    def known_subjects(self, subjects: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(subjects))
        if not wanted:
            return set()
        raw: Any = self._session.connection().connection.driver_connection
        found: set[str] = set()
        if self._session.get_bind().dialect.name == "postgresql":
            with raw.cursor() as cursor:
                cursor.execute("SELECT subject FROM persons WHERE subject = ANY(%s)", (wanted,))
                found.update(r[0] for r in cursor.fetchall())
            return found
        cursor = raw.cursor()
        try:
            for chunk in chunks(wanted):
                marks = ",".join("?" * len(chunk))
                cursor.execute(f"SELECT subject FROM persons WHERE subject IN ({marks})", chunk)
                found.update(r[0] for r in cursor.fetchall())
        finally:
            cursor.close()
        return found

    def fact_ids(self, table: str, ids: Iterable[str]) -> set[str]:
        fact_table: Table = Base.metadata.tables[table]
        found: set[str] = set()
        for condition in key_filters(self._session, fact_table.c.id, ids):
            found.update(self._session.scalars(select(fact_table.c.id).where(condition)))
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


PRESENCE_COLUMNS = (
    "id",
    "subject",
    "at",
    "recorded_at",
    "supersedes",
    "retracted",
    "place_id",
    "place_kind",
    "until",
    "source",
    "cell",
)
_COLUMN_LIST = ", ".join(PRESENCE_COLUMNS)
_values = operator.itemgetter(*PRESENCE_COLUMNS)  # a row mapping → a tuple in column order
# Binary COPY: each value is sent in PostgreSQL's own binary form (no text to format or escape
# in Python, none to parse on the server).
_COPY_TYPES = (
    "varchar",
    "varchar",
    "timestamptz",
    "timestamptz",
    "varchar",
    "bool",
    "varchar",
    "varchar",
    "timestamptz",
    "varchar",
    "varchar",
)
_SQLITE_INSERT = (
    f"INSERT INTO presences ({_COLUMN_LIST}) "
    f"VALUES ({', '.join('?' * len(PRESENCE_COLUMNS))}) ON CONFLICT (id) DO NOTHING"
)


def _sqlite_insert(raw: Any, rows: Sequence[Mapping[str, Any]]) -> int:
    """One ``executemany`` of INSERT … ON CONFLICT DO NOTHING with the values already in the
    form ``UTCDateTime`` stores on SQLite (``%Y-%m-%d %H:%M:%S.%f`` UTC text), so no per-row
    SQLAlchemy processing; each distinct time of the batch is formatted once (a scan's ``at``
    and ``until`` are the same, ``recorded_at`` is the same for the whole batch)."""
    times: dict[datetime, str] = {}

    def text(value: datetime) -> str:
        found = times.get(value)
        if found is None:
            found = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
            if len(found) == 19:
                found += ".000000"
            times[value] = found
        return found

    values = [
        (
            i,
            subject,
            text(at),
            text(recorded),
            sup,
            int(retracted),
            place,
            kind,
            text(until),
            src,
            cell,
        )
        for (i, subject, at, recorded, sup, retracted, place, kind, until, src, cell) in map(
            _values, rows
        )
    ]
    before = raw.total_changes
    cursor = raw.cursor()
    try:
        cursor.executemany(_SQLITE_INSERT, values)
    finally:
        cursor.close()
    changed: int = raw.total_changes - before
    return changed


def _copy(cursor: Any, table: str, values: Sequence[tuple[Any, ...]]) -> None:
    with cursor.copy(f"COPY {table} ({_COLUMN_LIST}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_COPY_TYPES)
        write = copy.write_row
        for value in values:
            write(value)


def _copy_insert(raw: Any, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert-if-absent on PostgreSQL. Common case (scans never seen): a binary COPY straight
    into ``presences`` inside a savepoint — three short round trips, no lookup first. If any
    row is held already (a batch sent again, a scan in two batches, or a concurrent upload of
    the same scans that won the race: a unique violation) the savepoint is rolled back and the
    rows go through a temporary table with INSERT … SELECT … ON CONFLICT DO NOTHING, whose row
    count is the new rows. A foreign-key violation names the unregistered subjects."""
    import psycopg

    values = list(map(_values, rows))
    with raw.cursor() as cursor:
        cursor.execute("SAVEPOINT presences_copy")
        try:
            _copy(cursor, "presences", values)
        except psycopg.errors.UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT presences_copy")
            return _merge_insert(cursor, values)
        except psycopg.errors.ForeignKeyViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT presences_copy")
            subjects = list({value[1] for value in values})
            cursor.execute("SELECT subject FROM persons WHERE subject = ANY(%s)", (subjects,))
            known = {r[0] for r in cursor.fetchall()}
            raise UnknownSubjects(set(subjects) - known) from None
        cursor.execute("RELEASE SAVEPOINT presences_copy")
    return len(values)


def _merge_insert(cursor: Any, values: Sequence[tuple[Any, ...]]) -> int:
    import psycopg

    cursor.execute(
        "CREATE TEMPORARY TABLE IF NOT EXISTS presences_incoming "
        "(LIKE presences INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    cursor.execute("DELETE FROM presences_incoming")  # left by an earlier call, if any
    _copy(cursor, "presences_incoming", values)
    cursor.execute("SAVEPOINT presences_merge")
    try:
        cursor.execute(
            f"INSERT INTO presences ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} "
            "FROM presences_incoming ON CONFLICT (id) DO NOTHING"
        )
    except psycopg.errors.ForeignKeyViolation:
        cursor.execute("ROLLBACK TO SAVEPOINT presences_merge")
        cursor.execute(
            "SELECT DISTINCT i.subject FROM presences_incoming i "
            "WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.subject = i.subject)"
        )
        raise UnknownSubjects({r[0] for r in cursor.fetchall()}) from None
    inserted: int = cursor.rowcount
    cursor.execute("RELEASE SAVEPOINT presences_merge")
    return inserted


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
