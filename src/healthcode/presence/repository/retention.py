"""Deleting what policy no longer lets us keep: presences and check-ins past the retention
window of their people's jurisdiction.

On PostgreSQL presences are partitioned by UTC day of ``at`` (migration 0015): the partitions
for the days ahead are created here (``healthcode_presence_partition``, which the migration
defines) and a day whose every presence ended before the cutoff is dropped whole. SQLite keeps
one table, and row deletes."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import CursorResult, delete, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from healthcode.db.facts import PresenceRow
from healthcode.identity.tables import PersonRow
from healthcode.presence.tables import CheckinRow, PurgeRow, UsedLookupRow

log = logging.getLogger(__name__)

_LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's lock_not_available
_DAY_PARTITION = re.compile(r"presences_p(\d{8})")

# presences' day partitions, by name: the migration names them presences_pYYYYMMDD
_PARTITIONS = text(
    "SELECT child.relname FROM pg_inherits "
    "JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
    "JOIN pg_class parent ON parent.oid = pg_inherits.inhparent "
    "WHERE parent.relname = 'presences' AND parent.relnamespace = child.relnamespace "
    "AND parent.relnamespace = to_regnamespace(current_schema())::oid"
)


class _Kept(Exception):
    """The day's partition is to stay: its savepoint is rolled back."""


@dataclass
class _Attempt:
    busy: bool = False
    kept: bool = False


def _wait_briefly(session: Session) -> None:
    """Making or dropping a partition locks all of presences: behind a long read (a tracing
    batch) it would wait, and every ingestion behind it. It gives up after two seconds instead
    (for the rest of its transaction, its own)."""
    session.execute(text("SET LOCAL lock_timeout = '2s'"))


@contextmanager
def _unless_busy(session: Session) -> Iterator[_Attempt]:
    """A savepoint around partition DDL: rolled back, and the attempt marked ``busy``, when the
    lock was not had in time; rolled back and marked ``kept`` on ``_Kept``."""
    attempt = _Attempt()
    try:
        with session.begin_nested():
            yield attempt
    except _Kept:
        attempt.kept = True
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
            raise
        attempt.busy = True


def _count(result: object) -> int:
    return result.rowcount if isinstance(result, CursorResult) else 0


class SqlRetentionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def jurisdictions(self) -> list[str]:
        rows = self._session.scalars(select(PersonRow.jurisdiction).distinct())
        return sorted(rows)

    def partitioned(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    def create_day_partitions(self, *, first: date, days: int) -> int:
        if not self.partitioned():
            return 0
        _wait_briefly(self._session)
        made = 0
        for offset in range(days):
            day = first + timedelta(days=offset)
            with _unless_busy(self._session) as attempt:
                made += bool(
                    self._session.scalar(
                        text("SELECT healthcode_presence_partition(:day)"), {"day": day}
                    )
                )
            if attempt.busy:  # the next hourly pass tries again; a week ahead leaves time
                log.warning("presences partition of %s not made: the table is busy", day)
        return made

    def day_partitions(self) -> list[date]:
        if not self.partitioned():
            return []
        names = self._session.scalars(_PARTITIONS)
        found = (_DAY_PARTITION.fullmatch(n) for n in names)
        return sorted(datetime.strptime(m[1], "%Y%m%d").date() for m in found if m)  # noqa: DTZ007

    def drop_day_partition(self, *, day: date, ended_before: datetime) -> int | None:
        name = f"presences_p{day:%Y%m%d}"  # a date: digits only, safe in the statement
        _wait_briefly(self._session)
        with _unless_busy(self._session) as attempt:
            # detached first: no row can come in between the check and the drop
            self._session.execute(text(f"ALTER TABLE presences DETACH PARTITION {name}"))
            held = self._session.execute(
                text(f"SELECT count(*), bool_or(until >= :cutoff) FROM {name}"),  # noqa: S608
                {"cutoff": ended_before},
            ).one()
            if held[1]:  # a stay begun that day is still within the window: put back
                raise _Kept
            self._session.execute(text(f"DROP TABLE {name}"))
        return None if attempt.busy or attempt.kept else int(held[0])

    def delete_presences(self, *, jurisdiction: str, ended_before: datetime) -> int:
        people = select(PersonRow.subject).where(PersonRow.jurisdiction == jurisdiction)
        return _count(
            self._session.execute(
                delete(PresenceRow)
                .where(
                    # a presence ends after it starts: the bound on ``at`` only lets
                    # PostgreSQL skip the days it cannot hold such rows for
                    PresenceRow.at < ended_before,
                    PresenceRow.until < ended_before,
                    PresenceRow.subject.in_(people),
                )
                .execution_options(synchronize_session=False)
            )
        )

    def delete_checkins(self, *, jurisdiction: str, before: datetime) -> int:
        return _count(
            self._session.execute(
                delete(CheckinRow)
                .where(CheckinRow.jurisdiction == jurisdiction, CheckinRow.at < before)
                .execution_options(synchronize_session=False)
            )
        )

    def delete_used_lookups(self, *, expired_before: datetime) -> int:
        return _count(
            self._session.execute(
                delete(UsedLookupRow)
                .where(UsedLookupRow.expires_at < expired_before)
                .execution_options(synchronize_session=False)
            )
        )

    def record_purge(self, *, at: datetime, counts: Mapping[str, int]) -> None:
        self._session.add_all(
            PurgeRow(at=at, kind=kind, count=count) for kind, count in counts.items() if count
        )
        self._session.flush()
