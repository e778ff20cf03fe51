"""Whether anything a case's trace reads was recorded since a moment: a presence (of a
resident or a visitor) that began before the trace's bound, or a person registered into the
household of the case or of anyone the case's trace found. Each is one indexed probe that
stops at the first row: a late rescan asks this every few minutes for every recent case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, Table, exists, or_, select, text
from sqlalchemy.orm import Session

from healthcode.db.facts import NEWS_NOT_IN_CELLS_SQL, PresenceRow
from healthcode.federation.visitors_tables import VisitorPresenceRow
from healthcode.identity.tables import PersonRow
from healthcode.tracing.tables import TracedFactRow


def late_presence_probes(
    *, since: datetime, before: datetime, cells: bool = True
) -> list[Select[bool]]:
    """Whether a presence (a resident's, a visitor's) beginning at or before ``before`` was
    recorded at or after ``since``: one probe per table, through its ``(recorded_at, at)``
    index. Without ``cells``, a resident's stay in a location cell counts only if it corrects
    another presence (a trace without the companion rule reads no stays in cells), and the
    probe reads the partial index that leaves the others out (``ix_presences_recorded_not_cells``),
    so a night's stays cost it nothing."""
    probes = []
    for row in (PresenceRow, VisitorPresenceRow):
        table: Table = row.__table__  # type: ignore[assignment]
        # the one column it tests selected, not ``*``: the index alone answers it
        late = select(table.c.at).where(table.c.recorded_at >= since, table.c.at <= before)
        if not cells and row is PresenceRow:
            # the partial index's own condition, as text: a planner uses the index only for a
            # query naming it (SQLite: the same terms, the same constants, not parameters)
            late = late.where(text(f"({NEWS_NOT_IN_CELLS_SQL})"))
        probes.append(select(late.exists()))
    return probes


def newcomers_households(since: datetime) -> Select[str]:
    """The households of the people registered at or after ``since``, a row each (made
    distinct by the caller: with DISTINCT, SQLite walked the household index through every
    resident instead of the few registered since)."""
    return select(PersonRow.household).where(PersonRow.registered_at >= since)


def recorded_since(
    session: Session,
    *,
    case_id: str,
    case_subject: str,
    since: datetime,
    before: datetime,
    cells: bool = True,
) -> bool:
    """True if a presence beginning at or before ``before`` was recorded at or after
    ``since`` (a stay in a cell only with ``cells``: ``late_presence_probes``), or someone
    registered since then lives in the household of the case's person or of a person the
    case's trace holds facts about (or is that person)."""
    for probe in late_presence_probes(since=since, before=before, cells=cells):
        if session.execute(probe).scalar_one():
            return True
    # the newcomers first (none, nearly always), then their households: one query joining
    # both let SQLite start from the traced people and grow with them
    households = sorted(set(session.scalars(newcomers_households(since))))
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
