"""The instance's state row in SQL (``oversight.instance``)."""

from __future__ import annotations

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from healthcode.oversight.instance import COLLECTING, InstanceState, Phase
from healthcode.oversight.tables import InstanceStateRow

_ID = 1
_TABLE: Table = InstanceStateRow.__table__  # type: ignore[assignment]
_STATE = select(*_TABLE.columns).where(_TABLE.c.id == bindparam("id"))
"""Built once (a plain row): read by every use case that collects data or shows a colour."""


class SqlInstanceStateRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _row(self, *, for_update: bool) -> InstanceStateRow | None:
        query = select(InstanceStateRow).where(InstanceStateRow.id == _ID)
        if for_update:
            query = query.with_for_update()
        return self._session.scalars(query).one_or_none()

    def get(self, *, for_update: bool = False) -> InstanceState:
        row = (
            self._row(for_update=True)
            if for_update
            else self._session.execute(_STATE, {"id": _ID}).first()
        )
        if row is None:
            return COLLECTING
        return InstanceState(
            phase=Phase(row.phase),
            changed_at=row.changed_at,
            proposal=row.proposal,
            purge_after=row.purge_after,
            purged_at=row.purged_at,
            final_report=row.final_report,
        )

    def save(self, state: InstanceState) -> None:
        row = self._row(for_update=True)
        if row is None:
            row = InstanceStateRow(id=_ID)
            self._session.add(row)
        row.phase = state.phase.value
        row.changed_at = state.changed_at
        row.proposal = state.proposal
        row.purge_after = state.purge_after
        row.purged_at = state.purged_at
        row.final_report = None if state.final_report is None else dict(state.final_report)
        self._session.flush()
