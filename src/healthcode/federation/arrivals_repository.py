"""Arrivals of visitors, in SQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from healthcode.federation.arrivals_model import OriginReason
from healthcode.federation.arrivals_ports import RecordedArrival
from healthcode.federation.arrivals_tables import ArrivalRow
from healthcode.kernel.errors import Conflict
from healthcode.kernel.facts import Colour


class SqlArrivalRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, arrival: RecordedArrival, *, consent: str) -> None:
        """Record ``arrival``; ``Conflict`` when its consent recorded one already (the loser
        of two officials presenting one token at once)."""
        row = ArrivalRow(
            id=arrival.id,
            consent=consent,
            issuer=arrival.issuer,
            subject=arrival.subject,
            at=arrival.at,
            origin_colour=arrival.origin_colour.value,
            origin_reasons=[[r.rule, r.zh, r.en] for r in arrival.origin_reasons],
            origin_valid_until=arrival.origin_valid_until,
            recorded_by=arrival.recorded_by,
            origin_risk_area=arrival.origin_risk_area,
        )
        try:
            with self._session.begin_nested():
                self._session.add(row)
        except IntegrityError:
            raise Conflict("token", "this consent has recorded an arrival already") from None

    def consent_used(self, consent: str) -> bool:
        found = self._session.scalar(select(ArrivalRow.id).where(ArrivalRow.consent == consent))
        return found is not None

    def of_visitor(self, issuer: str, subject: str) -> list[RecordedArrival]:
        rows = self._session.scalars(
            select(ArrivalRow)
            .where(ArrivalRow.issuer == issuer, ArrivalRow.subject == subject)
            .order_by(ArrivalRow.at, ArrivalRow.id)
        )
        return [
            RecordedArrival(
                id=r.id,
                issuer=r.issuer,
                subject=r.subject,
                at=r.at,
                origin_colour=Colour(r.origin_colour),
                origin_reasons=tuple(OriginReason(*x) for x in r.origin_reasons),
                origin_valid_until=r.origin_valid_until,
                recorded_by=r.recorded_by,
                origin_risk_area=r.origin_risk_area,
            )
            for r in rows
        ]
