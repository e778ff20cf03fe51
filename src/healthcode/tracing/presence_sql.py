"""SQL for tracing's reads of presences, beside ``repository``: the rows as ``Sighting``s, and a
busy venue's check-ins summarised per person in SQL, so that its 160,000 rows stay out of
Python (a preview's; ``reads.PlaceReads.summarised``).

SQLite keeps times as text (``%Y-%m-%d %H:%M:%S.%f``, UTC): they are compared there (text in
that form sorts as the times do) and read as text, never computed there. An instant's end (its
``at`` stretched by the assumed stay) is never worked out in SQL: the caller turns conditions on
it into bounds on ``at``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, Table, and_, case, false, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from healthcode.db.facts import PresenceRow
from healthcode.tracing.model.findings import OverlapQuery, Sighting

PRESENCES: Table = PresenceRow.__table__  # type: ignore[assignment]
_UTC = "+00:00"

PLAIN, OTHER, CORRECTION = 0, 1, 2
"""What a person's presences at a place are, at worst: plain instants only; also another
presence (a stay, a ride, a kind apart); also a correction (superseding another presence)."""

PersonInstants = tuple[str, datetime | None, datetime | None, int]
"""Per person at a place: the earliest and latest ``at`` of their plain instants in the asked
ranges (None without any), and what their presences there are, at worst (``PLAIN`` ...)."""


def sightings(rows: Sequence[Sequence[Any]], text: bool) -> list[Sighting]:
    """Presences read, their times as SQLite's text when ``text`` (as ``UTCDateTime`` reads
    them: in UTC; parsed with the zone in the text, which is faster than setting it after, and
    an instant's end parsed once). Named tuples built through ``tuple.__new__``: a busy
    venue's 160,000."""
    new = tuple.__new__
    if not text:
        return [new(Sighting, row[:8]) for row in rows]
    parse = datetime.fromisoformat
    return [
        new(
            Sighting,
            (
                *row[:6],
                at := parse(row[6] + _UTC),
                at if row[7] == row[6] else parse(row[7] + _UTC),
            ),
        )
        for row in rows
    ]


def reached(query: OverlapQuery) -> list[Any]:
    """The conditions of a read: presences ``query`` reaches, not retracted."""
    t, start = PRESENCES, query.start
    return [
        t.c.at >= start - query.lookback,
        t.c.at < query.end,
        or_(t.c.until > start, t.c.at > start - query.slack),
        t.c.retracted.is_(False),
    ]


def instants_at(
    session: Session,
    place_id: str,
    query: OverlapQuery,
    ranges: Sequence[tuple[datetime, datetime]],
    kinds_apart: Collection[str],
) -> list[PersonInstants]:
    """Per person with presences at the place that ``query`` reaches: the earliest and latest
    ``at`` among their plain instants (``until <= at``, of no kind in ``kinds_apart``,
    superseding nothing) whose ``at`` lies in one of ``ranges`` (closed), and whether they have
    another presence there (a stay, a ride, a correction: the caller then reads the rows).
    One pass over the place's rows, grouped by person."""
    t = PRESENCES
    plain = and_(t.c.until <= t.c.at, t.c.place_kind.not_in(kinds_apart), t.c.supersedes.is_(None))
    within = or_(*(t.c.at.between(low, high) for low, high in ranges)) if ranges else false()
    text = session.get_bind().dialect.name == "sqlite"
    at = type_coerce(t.c.at, String) if text else t.c.at
    counted = case((and_(plain, within), at))
    worst = func.max(case((t.c.supersedes.is_not(None), CORRECTION), (plain, PLAIN), else_=OTHER))
    statement = (
        select(t.c.subject, func.min(counted), func.max(counted), worst)
        .where(t.c.place_id == place_id, *reached(query))
        .group_by(t.c.subject)
    )
    rows = session.connection().execute(statement).all()
    if not text:
        return [(subject, low, high, worst) for subject, low, high, worst in rows]
    parse = datetime.fromisoformat
    return [
        (
            subject,
            None if low is None else parse(low + _UTC),
            None if high is None else parse(high + _UTC),
            worst,
        )
        for subject, low, high, worst in rows
    ]
