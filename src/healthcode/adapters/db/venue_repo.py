"""Repositories for venues, devices, batches, check-ins, staff, presences and boundaries."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from healthcode.adapters.db.base import Base
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
        """Bulk insert-if-absent straight through the database driver (no per-row SQLAlchemy
        parameter processing: at 1,000 rows a batch that is most of the cost). SQLite: one
        ``executemany`` of INSERT … ON CONFLICT DO NOTHING, new rows counted by the change
        counter. PostgreSQL: COPY into a temporary table, then one INSERT … SELECT … ON
        CONFLICT DO NOTHING, whose row count is the new rows. Both run in the unit of work's
        transaction."""
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
            for chunk in _chunks(wanted):
                marks = ",".join("?" * len(chunk))
                cursor.execute(f"SELECT subject FROM persons WHERE subject IN ({marks})", chunk)
                found.update(r[0] for r in cursor.fetchall())
        finally:
            cursor.close()
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
_TIMES = frozenset({"at", "recorded_at", "until"})


def _sqlite_time(value: datetime) -> str:
    """The text ``UTCDateTime`` stores on SQLite (``%Y-%m-%d %H:%M:%S.%f``, UTC), made with
    ``isoformat`` (a third of ``strftime``'s cost)."""
    text = value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return text if len(text) == 26 else text + ".000000"


def _sqlite_insert(raw: Any, rows: Sequence[Mapping[str, Any]]) -> int:
    columns = ", ".join(PRESENCE_COLUMNS)
    marks = ", ".join("?" * len(PRESENCE_COLUMNS))
    values = [
        tuple(
            _sqlite_time(row[c]) if c in _TIMES else int(row[c]) if c == "retracted" else row[c]
            for c in PRESENCE_COLUMNS
        )
        for row in rows
    ]
    before = raw.total_changes
    cursor = raw.cursor()
    try:
        cursor.executemany(
            f"INSERT INTO presences ({columns}) VALUES ({marks}) ON CONFLICT (id) DO NOTHING",
            values,
        )
    finally:
        cursor.close()
    changed: int = raw.total_changes - before
    return changed


def _escape(text: str) -> str:
    """A text value in COPY's text format (backslash, tab and line breaks escaped)."""
    if text.isprintable() and "\\" not in text:
        return text
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_buffer(rows: Sequence[Mapping[str, Any]]) -> str:
    """The rows as one COPY text buffer (columns in ``PRESENCE_COLUMNS`` order). Times repeat
    within a batch (``at`` and ``until`` of a scan, ``recorded_at`` of every row), so each
    distinct time is formatted once."""
    times: dict[datetime, str] = {}

    def when(value: datetime) -> str:
        text = times.get(value)
        if text is None:
            text = times[value] = value.isoformat()
        return text

    lines = []
    for row in rows:
        supersedes, cell = row["supersedes"], row["cell"]
        lines.append(
            "\t".join(
                (
                    _escape(row["id"]),
                    _escape(row["subject"]),
                    when(row["at"]),
                    when(row["recorded_at"]),
                    "\\N" if supersedes is None else _escape(supersedes),
                    "t" if row["retracted"] else "f",
                    _escape(row["place_id"]),
                    _escape(row["place_kind"]),
                    when(row["until"]),
                    _escape(row["source"]),
                    "\\N" if cell is None else _escape(cell),
                )
            )
        )
    lines.append("")
    return "\n".join(lines)


def _copy_insert(raw: Any, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert-if-absent on PostgreSQL. Common case: ask which ids are held (one indexed
    lookup), COPY the others straight into ``presences`` inside a savepoint. If a concurrent
    upload of the same scans wins the race (unique violation) the savepoint is rolled back and
    the rows go through a temporary table with INSERT … ON CONFLICT DO NOTHING; a foreign-key
    violation names the unregistered subjects."""
    import psycopg

    columns = ", ".join(PRESENCE_COLUMNS)
    fresh = {row["id"]: row for row in rows}  # ids are hex: safe to join with commas
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM presences WHERE id = ANY(string_to_array(%s, ','))",
            (",".join(fresh),),
        )
        for (held,) in cursor.fetchall():
            fresh.pop(held, None)
        if not fresh:
            return 0
        buffer = _copy_buffer(list(fresh.values()))
        cursor.execute("SAVEPOINT presences_copy")
        try:
            with cursor.copy(f"COPY presences ({columns}) FROM STDIN") as copy:
                copy.write(buffer)
        except psycopg.errors.UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT presences_copy")
            return _merge_insert(cursor, buffer)
        except psycopg.errors.ForeignKeyViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT presences_copy")
            cursor.execute(
                "SELECT subject FROM persons WHERE subject = ANY(%s)",
                (list({row["subject"] for row in fresh.values()}),),
            )
            known = {r[0] for r in cursor.fetchall()}
            raise UnknownSubjects({row["subject"] for row in fresh.values()} - known) from None
        cursor.execute("RELEASE SAVEPOINT presences_copy")
    return len(fresh)


def _merge_insert(cursor: Any, buffer: str) -> int:
    columns = ", ".join(PRESENCE_COLUMNS)
    cursor.execute(
        "CREATE TEMPORARY TABLE IF NOT EXISTS presences_incoming "
        "(LIKE presences INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    with cursor.copy(f"COPY presences_incoming ({columns}) FROM STDIN") as copy:
        copy.write(buffer)
    cursor.execute(
        f"INSERT INTO presences ({columns}) SELECT {columns} FROM presences_incoming "
        "ON CONFLICT (id) DO NOTHING"
    )
    inserted: int = cursor.rowcount
    cursor.execute("DELETE FROM presences_incoming")
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
