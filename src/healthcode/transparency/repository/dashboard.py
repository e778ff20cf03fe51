"""The console's dashboard and map queries: counts of one jurisdiction grouped in SQL (days are
buckets between given bounds, so the city's calendar days are counted alike on SQLite and
PostgreSQL). Nothing decrypted; no subject, name or place leaves here, and a cell counting
fewer people than asked is cut by ``HAVING``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from healthcode.db.facts import ExposureRow, PresenceRow, QuarantineOrderRow, ReleaseRow
from healthcode.identity.tables import PersonRow
from healthcode.oversight.tables import ProposalRow
from healthcode.presence.tables import CheckinRow
from healthcode.status.tables import StatusChangeRow
from healthcode.tracing.tables import CaseRecordRow, RiskAreaRow
from healthcode.transparency.dashboard_model import AreaCells, DayDelta

FLAGGED = "flagged"  # presence.checkins.FLAGGED: a check-in waiting for review
PENDING = "pending"  # oversight.model.ProposalStatus.PENDING
CONFIRMED = "confirmed"  # tracing.model.cases.CaseState.CONFIRMED


def _bucket(column: InstrumentedAttribute[datetime | None], bounds: Sequence[datetime]) -> Any:
    """The index of the day ``column`` falls in (rows outside the bounds are filtered)."""
    last = len(bounds) - 2
    whens = [(column < bound, n) for n, bound in enumerate(bounds[1:-1])]
    return case(*whens, else_=last) if whens else case((column.is_not(None), last))


def _within(column: InstrumentedAttribute[datetime | None], bounds: Sequence[datetime]) -> Any:
    return and_(column >= bounds[0], column < bounds[-1])


class SqlDashboardRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _deltas(self, query: Select[Any, Any, Any], sign: int = 1) -> list[DayDelta]:
        return [
            DayDelta(int(bucket), key, sign * int(count))
            for bucket, key, count in self._session.execute(query)
        ]

    @staticmethod
    def _people_of(jurisdiction: str) -> ColumnElement[bool]:
        return PersonRow.jurisdiction == jurisdiction

    def colours_before(self, jurisdiction: str, before: datetime) -> Mapping[str, int]:
        ranked = (
            select(
                StatusChangeRow.colour_to,
                func.row_number()
                .over(
                    partition_by=StatusChangeRow.subject,
                    order_by=(StatusChangeRow.at.desc(), StatusChangeRow.id.desc()),
                )
                .label("n"),
            )
            .join(PersonRow, PersonRow.subject == StatusChangeRow.subject)
            .where(self._people_of(jurisdiction), StatusChangeRow.at < before)
            .subquery()
        )
        rows = self._session.execute(
            select(ranked.c.colour_to, func.count())
            .where(ranked.c.n == 1)
            .group_by(ranked.c.colour_to)
        )
        return {colour: int(count) for colour, count in rows}

    def colour_moves(self, jurisdiction: str, bounds: Sequence[datetime]) -> list[DayDelta]:
        moves: list[DayDelta] = []
        for column, sign in ((StatusChangeRow.colour_to, 1), (StatusChangeRow.colour_from, -1)):
            bucket = _bucket(StatusChangeRow.at, bounds)
            query = (
                select(bucket, column, func.count())
                .join(PersonRow, PersonRow.subject == StatusChangeRow.subject)
                .where(
                    self._people_of(jurisdiction),
                    _within(StatusChangeRow.at, bounds),
                    column.is_not(None),
                )
                .group_by(bucket, column)
            )
            moves.extend(self._deltas(query, sign))
        return moves

    def cases_by_day(self, jurisdiction: str, bounds: Sequence[datetime]) -> list[DayDelta]:
        counted: list[DayDelta] = []
        for key, column in (
            ("reported", CaseRecordRow.reported_at),
            ("confirmed", CaseRecordRow.confirmed_at),
        ):
            bucket = _bucket(column, bounds)
            query = select(bucket, func.count()).where(
                CaseRecordRow.jurisdiction == jurisdiction, _within(column, bounds)
            )
            if key == "confirmed":
                query = query.where(CaseRecordRow.state == CONFIRMED)
            rows = self._session.execute(query.group_by(bucket))
            counted.extend(DayDelta(int(b), key, int(n)) for b, n in rows)
        return counted

    def quarantines_ending(self, jurisdiction: str, start: datetime, end: datetime) -> int:
        order = QuarantineOrderRow
        superseded = select(order.supersedes).where(order.supersedes.is_not(None))
        released = exists().where(
            ReleaseRow.subject == order.subject,
            ReleaseRow.at >= order.at,
            ReleaseRow.retracted.is_(False),
        )
        count = self._session.scalar(
            select(func.count())
            .select_from(order)
            .join(PersonRow, PersonRow.subject == order.subject)
            .where(
                self._people_of(jurisdiction),
                order.planned_end >= start,
                order.planned_end < end,
                order.retracted.is_(False),
                order.id.not_in(superseded),
                ~released,
            )
        )
        return int(count or 0)

    def flagged_checkins(self, jurisdiction: str) -> int:
        count = self._session.scalar(
            select(func.count()).where(
                CheckinRow.state == FLAGGED, CheckinRow.jurisdiction == jurisdiction
            )
        )
        return int(count or 0)

    def proposals_waiting(self, jurisdiction: str) -> Mapping[str, int]:
        rows = self._session.execute(
            select(ProposalRow.kind, func.count())
            .where(ProposalRow.status == PENDING, ProposalRow.jurisdiction == jurisdiction)
            .group_by(ProposalRow.kind)
            .order_by(ProposalRow.kind)
        )
        return {kind: int(count) for kind, count in rows}

    def _cells(self, query: Select[str | None, int]) -> Mapping[str, int]:
        return {cell: int(count) for cell, count in self._session.execute(query) if cell}

    def case_cells(
        self, jurisdiction: str, start: datetime, end: datetime, at_least: int
    ) -> Mapping[str, int]:
        counted = func.count(func.distinct(CaseRecordRow.case_id))
        return self._cells(
            select(PresenceRow.cell, counted)
            .join(CaseRecordRow, CaseRecordRow.subject == PresenceRow.subject)
            .where(
                CaseRecordRow.jurisdiction == jurisdiction,
                CaseRecordRow.state == CONFIRMED,
                PresenceRow.cell.is_not(None),
                PresenceRow.retracted.is_(False),
                PresenceRow.at < end,
                PresenceRow.until > start,
            )
            .group_by(PresenceRow.cell)
            .having(counted >= at_least)
        )

    def exposure_cells(
        self, jurisdiction: str, start: datetime, end: datetime, at_least: int
    ) -> Mapping[str, int]:
        counted = func.count(func.distinct(ExposureRow.subject))
        return self._cells(
            select(PresenceRow.cell, counted)
            .join(
                PresenceRow,
                and_(
                    PresenceRow.subject == ExposureRow.subject,
                    PresenceRow.place_id == ExposureRow.place_id,
                ),
            )
            .join(PersonRow, PersonRow.subject == ExposureRow.subject)
            .where(
                self._people_of(jurisdiction),
                ExposureRow.retracted.is_(False),
                ExposureRow.at >= start,
                ExposureRow.at < end,
                PresenceRow.cell.is_not(None),
                PresenceRow.retracted.is_(False),
            )
            .group_by(PresenceRow.cell)
            .having(counted >= at_least)
        )

    def risk_areas(self, jurisdiction: str, at: datetime) -> list[AreaCells]:
        rows = self._session.scalars(
            select(RiskAreaRow)
            .where(
                RiskAreaRow.jurisdiction == jurisdiction,
                RiskAreaRow.starts_at <= at,
                RiskAreaRow.ends_at > at,
            )
            .order_by(RiskAreaRow.declared_at, RiskAreaRow.id)
        )
        return [
            AreaCells(r.id, r.name, r.level, tuple(r.cells), r.starts_at, r.ends_at) for r in rows
        ]
