"""Whether anything a case's trace reads was recorded since a moment: a presence (of a
resident or a visitor) that began before the trace's bound, or a person registered into the
household of the case or of anyone the case's trace found. Each is one indexed probe that
stops at the first row: a late rescan asks this every few minutes for every recent case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, exists, or_, select
from sqlalchemy.orm import Session

from healthcode.db.facts import PresenceRow
from healthcode.federation.visitors_tables import VisitorPresenceRow
from healthcode.identity.tables import PersonRow
from healthcode.tracing.tables import TracedFactRow


def recorded_since(
    session: Session,
    *,
    case_id: str,
    case_subject: str,
    since: datetime,
    before: datetime,
) -> bool:
    """True if a presence beginning at or before ``before`` was recorded at or after
    ``since``, or someone registered since then lives in the household of the case's person
    or of a person the case's trace holds facts about (or is that person)."""
    for row in (PresenceRow, VisitorPresenceRow):
        table: Table = row.__table__  # type: ignore[assignment]
        query = select(exists().where(table.c.recorded_at >= since, table.c.at <= before))
        if session.execute(query).scalar_one():
            return True
    # the newcomers first (none, nearly always), then their households: one query joining
    # both let SQLite start from the traced people and grow with them
    households = session.scalars(
        select(PersonRow.household).where(PersonRow.registered_at >= since).distinct()
    ).all()
    if not households:
        return False
    traced = select(TracedFactRow.subject).where(
        TracedFactRow.source_id == case_id, TracedFactRow.retracted_at.is_(None)
    )
    query = select(
        exists().where(
            PersonRow.household.in_(households),
            or_(PersonRow.subject == case_subject, PersonRow.subject.in_(traced)),
        )
    )
    return bool(session.execute(query).scalar_one())
