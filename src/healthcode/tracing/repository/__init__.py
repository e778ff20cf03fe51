"""Repositories for tracing reads (presences by person, place and cell; households), what
tracing derived, cases and risk areas."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, Table, or_, select, type_coerce, update
from sqlalchemy.orm import Session, aliased

from healthcode.db.bulk import insert_many, key_filters
from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.fact_mapping import from_row
from healthcode.db.facts import QuarantineOrderRow
from healthcode.identity.tables import PersonRow
from healthcode.kernel.facts import FactKind, QuarantineOrder
from healthcode.tracing.model.derived import DerivedFact, DerivedHead
from healthcode.tracing.model.findings import OverlapQuery, Sighting
from healthcode.tracing.presence_sql import PRESENCES, PersonInstants, instants_at, sightings
from healthcode.tracing.repository.news import recorded_since
from healthcode.tracing.tables import TracedFactRow

_PRESENCES = PRESENCES


class SqlTracingRepository:
    def __init__(self, session: Session, cipher: PersonalDataCipher) -> None:
        self._session = session
        self._cipher = cipher

    def _presences(
        self,
        conditions: Iterable[ColumnElement[bool]],
        query: OverlapQuery,
        keep: Callable[[str], bool] | None = None,
        skip: Collection[str] = (),
    ) -> list[Sighting]:
        """Presences meeting any of ``conditions`` (one statement each) that ``query``
        reaches, whose place id ``keep`` accepts; superseded ones left out."""
        start, end = query.start, query.end
        # Plain tuples of the columns tracing reads: tracing reads many and changes none.
        t = _PRESENCES
        columns = (t.c.id, t.c.subject, t.c.place_id, t.c.place_kind, t.c.source, t.c.cell)
        found: dict[str, Sighting] = {}
        superseded: set[str] = set()
        # presences at skipped places are left out unless they supersede another
        elsewhere = [or_(t.c.place_id.not_in(skip), t.c.supersedes.is_not(None))] if skip else []
        # SQLite keeps times as text: read it as text, and parse an instant's end only once
        text = self._session.get_bind().dialect.name == "sqlite"
        times = (type_coerce(t.c.at, String), type_coerce(t.c.until, String)) if text else ()
        connection = self._session.connection()
        for condition in conditions:
            statement = select(*columns, *(times or (t.c.at, t.c.until)), t.c.supersedes).where(
                *elsewhere,
                condition,
                t.c.at >= start - query.lookback,
                t.c.at < end,
                or_(t.c.until > start, t.c.at > start - query.slack),
                t.c.retracted.is_(False),
            )
            # all at once: one call into the driver rather than one a row
            rows = connection.execute(statement).all()
            if keep is not None:
                rows = [row for row in rows if keep(row[2])]
            found.update(zip([row[0] for row in rows], sightings(rows, text), strict=True))
            superseded.update(row[8] for row in rows if row[8] is not None)
        # the keys sorted alone, not the pairs: a busy venue's 160,000 in a third of the time
        return [found[key] for key in sorted(found) if key not in superseded]

    def presences_of(
        self,
        subjects: Sequence[str],
        query: OverlapQuery,
        *,
        skip_places: Collection[str] = (),
    ) -> list[Sighting]:
        conditions = key_filters(self._session, _PRESENCES.c.subject, subjects)
        return self._presences(conditions, query, skip=sorted(skip_places))

    def presences_at(
        self,
        place_ids: Iterable[str],
        query: OverlapQuery,
    ) -> list[Sighting]:
        return self._presences(key_filters(self._session, _PRESENCES.c.place_id, place_ids), query)

    def presences_at_times(
        self,
        place_id: str,
        query: OverlapQuery,
        *,
        subjects: Collection[str] | None = None,
        between: Sequence[tuple[datetime, datetime]] = (),
    ) -> list[Sighting]:
        at, place = _PRESENCES.c.at, _PRESENCES.c.place_id == place_id
        conditions = (
            [place]
            if subjects is None
            else [place & c for c in key_filters(self._session, _PRESENCES.c.subject, subjects)]
        )
        if between:
            times = or_(*(at.between(low, high) for low, high in between))
            conditions = [c & times for c in conditions]
        return self._presences(conditions, query)

    def instants_at(
        self,
        place_id: str,
        query: OverlapQuery,
        ranges: Sequence[tuple[datetime, datetime]],
        kinds_apart: Collection[str],
    ) -> list[PersonInstants]:
        return instants_at(self._session, place_id, query, ranges, kinds_apart)

    def presences_in_cells(
        self,
        cells: Iterable[str],
        query: OverlapQuery,
    ) -> list[Sighting]:
        return self._presences(key_filters(self._session, _PRESENCES.c.cell, cells), query)

    def households(self, subjects: Sequence[str]) -> Mapping[str, list[str]]:
        # one join, not the people and then their households: a busy venue's close contacts
        # are tens of thousands
        person, member = aliased(PersonRow), aliased(PersonRow)
        found: dict[str, list[str]] = {}
        connection = self._session.connection()  # plain rows: a busy venue's 120,000
        for condition in key_filters(self._session, person.subject, subjects):
            # joined on the household alone, the jurisdiction compared here: with it in the
            # join, SQLite read each person's housemates through the jurisdiction index, every
            # resident of the city for each (1.5 s for 2,000 people at 10,000 residents; 7 ms)
            rows = connection.execute(
                select(person.subject, person.jurisdiction, member.subject, member.jurisdiction)
                .join(member, member.household == person.household)
                .where(condition)
            ).all()  # all at once: one call into the driver, not one a row
            for subject, jurisdiction, other, where in rows:
                others = found.setdefault(subject, [])
                if other != subject and where == jurisdiction:
                    others.append(other)
        # sorted here, not by the database: 140,000 rows for a busy venue's close contacts,
        # which PostgreSQL sorted on disk, against lists of a few
        return {subject: sorted(found[subject]) for subject in sorted(found)}

    def add_derived(self, facts: Sequence[DerivedFact]) -> None:
        if not facts:
            return
        table: Table = TracedFactRow.__table__  # type: ignore[assignment]
        insert_many(
            self._session,
            table,
            [
                {
                    "fact_id": f.fact_id,
                    "key": f.key,
                    "kind": f.kind,
                    "source_kind": f.source_kind,
                    "source_id": f.source_id,
                    "subject": f.subject,
                    "rule": f.rule,
                    "category": f.category,
                    "evidence": dict(f.evidence),
                    "created_at": f.created_at,
                    "retracted_at": f.retracted_at,
                    "retracted_by": f.retracted_by,
                }
                for f in facts
            ],
        )

    def derived_from(self, source_id: str) -> list[DerivedFact]:
        # plain rows, not ORM objects: every pass over a case reads all it derived (tens of
        # thousands of exposures for a busy case), read-only here
        table: Table = TracedFactRow.__table__  # type: ignore[assignment]
        rows = self._session.execute(
            select(*table.columns).where(table.c.source_id == source_id).order_by(table.c.fact_id)
        )
        return [_derived(r) for r in rows]

    def derived_heads(self, source_id: str) -> list[DerivedHead]:
        # no evidence: tracing a busy case again compares tens of thousands of keys, and
        # decoding their evidence cost more than the rest of the trace
        t: Table = TracedFactRow.__table__  # type: ignore[assignment]
        c = t.c
        rows = self._session.execute(
            select(c.fact_id, c.key, c.kind, c.subject, c.rule, c.created_at, c.retracted_at)
            .where(c.source_id == source_id)
            .order_by(c.fact_id)
        ).all()
        return [
            DerivedHead(
                fact_id=fact_id,
                key=key,
                kind=kind,
                subject=subject,
                rule=rule,
                created_at=created_at,
                retracted=retracted_at is not None,
            )
            for fact_id, key, kind, subject, rule, created_at, retracted_at in rows
        ]

    def derived_facts(self, fact_ids: Sequence[str]) -> list[DerivedFact]:
        t: Table = TracedFactRow.__table__  # type: ignore[assignment]
        found: dict[str, DerivedFact] = {}
        for condition in key_filters(self._session, t.c.fact_id, fact_ids):
            for row in self._session.execute(select(*t.columns).where(condition)):
                found[row.fact_id] = _derived(row)
        return [found[i] for i in fact_ids]

    def retract_derived(self, retractions: Mapping[str, str], *, at: datetime) -> None:
        for fact_id, by in retractions.items():
            self._session.execute(
                update(TracedFactRow)
                .where(TracedFactRow.fact_id == fact_id)
                .values(retracted_at=at, retracted_by=by)
            )

    def recorded_since(
        self,
        *,
        case_id: str,
        case_subject: str,
        since: datetime,
        before: datetime,
        cells: bool = True,
    ) -> bool:
        return recorded_since(
            self._session,
            case_id=case_id,
            case_subject=case_subject,
            since=since,
            before=before,
            cells=cells,
        )

    def derived_for(self, subject: str) -> list[DerivedFact]:
        rows = self._session.scalars(
            select(TracedFactRow)
            .where(TracedFactRow.subject == subject)
            .order_by(TracedFactRow.created_at, TracedFactRow.fact_id)
        )
        return [_derived(r) for r in rows]

    def quarantine_orders(
        self, jurisdiction: str, *, at: datetime, district: str | None = None
    ) -> list[QuarantineOrder]:
        table: Table = QuarantineOrderRow.__table__  # type: ignore[assignment]
        superseded = select(table.c.supersedes).where(table.c.supersedes.is_not(None))
        query = (
            select(*table.columns)
            .join(PersonRow, PersonRow.subject == table.c.subject)
            .where(
                PersonRow.jurisdiction == jurisdiction,
                table.c.planned_end > at,
                table.c.retracted.is_(False),
                table.c.id.not_in(superseded),
            )
            .order_by(table.c.at, table.c.id)
        )
        if district is not None:
            query = query.where(PersonRow.district == district)
        orders: list[QuarantineOrder] = []
        for row in self._session.execute(query):
            fact = from_row(FactKind.QUARANTINE_ORDER, row, self._cipher)
            if not isinstance(fact, QuarantineOrder):
                raise TypeError(f"a quarantine order row read as {type(fact).__name__}")
            orders.append(fact)
        return orders

    def presences_on_lines(
        self,
        lines: Iterable[str],
        query: OverlapQuery,
    ) -> list[Sighting]:
        # A trip's place id is "<line>:<vehicle>": one index range per line on place_id,
        # [line + ":", line + ";"), never LIKE. The range assumes code-point order (SQLite,
        # PostgreSQL C/C.UTF-8); the startswith check drops whatever a collation lets in.
        place = _PRESENCES.c.place_id
        prefixes = tuple(sorted({f"{line}:" for line in lines}))
        ranges = (
            or_(*((place >= p) & (place < p[:-1] + ";") for p in prefixes[i : i + 100]))
            for i in range(0, len(prefixes), 100)
        )
        return self._presences(ranges, query, keep=lambda place_id: place_id.startswith(prefixes))


def _derived(row: Any) -> DerivedFact:
    """A derived fact from its ORM object or a plain row of its table."""
    return DerivedFact(
        fact_id=row.fact_id,
        key=row.key,
        kind=row.kind,
        source_kind=row.source_kind,
        source_id=row.source_id,
        subject=row.subject,
        rule=row.rule,
        category=row.category,
        evidence=dict(row.evidence),
        created_at=row.created_at,
        retracted_at=row.retracted_at,
        retracted_by=row.retracted_by,
    )
