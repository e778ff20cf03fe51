"""The transparency report's queries: counts grouped in SQL, and the times it needs to compute
turnarounds and colours per day. Nothing decrypted, nothing naming anyone leaves here but the
opaque subject ids the colour replay keys on."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from healthcode.appeals.tables import AppealRow
from healthcode.db.base import Base
from healthcode.db.facts import (
    ArrivalRow,
    CaseRow,
    ExposureRow,
    HealthDeclarationRow,
    ManualOverrideRow,
    PresenceRow,
    QuarantineOrderRow,
    ReleaseRow,
    TestResultRow,
    TravelDeclarationRow,
)
from healthcode.identity.model import IdentityState
from healthcode.identity.tables import IdentityEventRow, PersonRow
from healthcode.oversight.tables import AccessAuditRow, BreakGlassRow, ProposalRow
from healthcode.presence.tables import CheckinRow, PurgeRow
from healthcode.status.tables import StatusChangeRow
from healthcode.transparency.model import AppealTimes, ColourChange, ReadCount

# each kind of data held, by the table that holds it
HELD: Final[Mapping[str, type[Base]]] = {
    "presences": PresenceRow,
    "checkins": CheckinRow,
    "health_declarations": HealthDeclarationRow,
    "travel_declarations": TravelDeclarationRow,
    "arrivals": ArrivalRow,
    "exposures": ExposureRow,
    "cases": CaseRow,
    "test_results": TestResultRow,
    "quarantine_orders": QuarantineOrderRow,
    "manual_overrides": ManualOverrideRow,
    "releases": ReleaseRow,
    "status_changes": StatusChangeRow,
    "appeals": AppealRow,
    "access_log": AccessAuditRow,
}


# where the instance's first record may be: the earliest of these times starts the emergency
FIRST_RECORDS: Final = (
    StatusChangeRow.at,
    IdentityEventRow.at,
    AccessAuditRow.at,
    ProposalRow.proposed_at,
    AppealRow.filed_at,
    ManualOverrideRow.recorded_at,
    CheckinRow.at,
    PurgeRow.at,
    BreakGlassRow.at,
)


class SqlTransparencyRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _count(self, table: type[Base]) -> int:
        return self._session.scalar(select(func.count()).select_from(table)) or 0

    def colour_changes(self, before: datetime) -> list[ColourChange]:
        rows = self._session.execute(
            select(StatusChangeRow.subject, StatusChangeRow.at, StatusChangeRow.colour_to)
            .where(StatusChangeRow.at < before)
            .order_by(StatusChangeRow.at, StatusChangeRow.id)
        )
        return [ColourChange(subject, at, colour) for subject, at, colour in rows]

    def first_record(self) -> datetime | None:
        firsts = [self._session.scalar(select(func.min(column))) for column in FIRST_RECORDS]
        found = [at for at in firsts if at is not None]
        return min(found) if found else None

    def held(self) -> Mapping[str, int]:
        people = self._session.scalar(
            select(func.count())
            .select_from(PersonRow)
            .where(PersonRow.identity_state != IdentityState.CLOSED.value)
        )
        return {"people": people or 0} | {kind: self._count(t) for kind, t in HELD.items()}

    def closed_accounts(self, start: datetime, end: datetime) -> int:
        closed = self._session.scalar(
            select(func.count(func.distinct(IdentityEventRow.subject))).where(
                IdentityEventRow.state == IdentityState.CLOSED.value,
                IdentityEventRow.at >= start,
                IdentityEventRow.at < end,
            )
        )
        return closed or 0

    def purged(self, start: datetime, end: datetime) -> Mapping[str, int]:
        rows = self._session.execute(
            select(PurgeRow.kind, func.sum(PurgeRow.count))
            .where(PurgeRow.at >= start, PurgeRow.at < end)
            .group_by(PurgeRow.kind)
            .order_by(PurgeRow.kind)
        )
        return {kind: int(count) for kind, count in rows}

    def reads(self, start: datetime, end: datetime) -> list[ReadCount]:
        rows = self._session.execute(
            select(AccessAuditRow.role, AccessAuditRow.purpose, func.count())
            .where(AccessAuditRow.at >= start, AccessAuditRow.at < end)
            .group_by(AccessAuditRow.role, AccessAuditRow.purpose)
            .order_by(AccessAuditRow.role, AccessAuditRow.purpose)
        )
        return [ReadCount(role, purpose, count) for role, purpose, count in rows]

    def overrides(self, start: datetime, end: datetime) -> Mapping[str, int]:
        rows = self._session.execute(
            select(ManualOverrideRow.reason_category, func.count())
            .where(ManualOverrideRow.recorded_at >= start, ManualOverrideRow.recorded_at < end)
            .group_by(ManualOverrideRow.reason_category)
            .order_by(ManualOverrideRow.reason_category)
        )
        return {reason: count for reason, count in rows}

    def appeals(self, start: datetime, end: datetime) -> list[AppealTimes]:
        rows = self._session.execute(
            select(AppealRow.filed_at, AppealRow.due_at, AppealRow.decided_at, AppealRow.state)
            .where(
                or_(
                    (AppealRow.filed_at >= start) & (AppealRow.filed_at < end),
                    (AppealRow.decided_at >= start) & (AppealRow.decided_at < end),
                )
            )
            .order_by(AppealRow.filed_at)
        )
        return [AppealTimes(filed, due, decided, state) for filed, due, decided, state in rows]

    def break_glass(self, start: datetime, end: datetime) -> list[tuple[str, int]]:
        rows = self._session.execute(
            select(BreakGlassRow.what, BreakGlassRow.people)
            .where(BreakGlassRow.at >= start, BreakGlassRow.at < end)
            .order_by(BreakGlassRow.at, BreakGlassRow.id)
        )
        return [(what, people) for what, people in rows]

    def bulk_proposals(self, start: datetime, end: datetime) -> list[tuple[str, str, int | None]]:
        rows = self._session.execute(
            select(ProposalRow.kind, ProposalRow.status, ProposalRow.people)
            .where(
                ProposalRow.bulk.is_(True),
                ProposalRow.proposed_at >= start,
                ProposalRow.proposed_at < end,
            )
            .order_by(ProposalRow.proposed_at, ProposalRow.id)
        )
        return [(kind, status, people) for kind, status, people in rows]
