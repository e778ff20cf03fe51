"""The sunset's purge, run by the worker's pass: once a retired instance's grace period is
over, the final transparency report is generated and kept on the instance's state, then every
record of a person is deleted (``SunsetRepository.purge_personal_data``), in one transaction
with marking the purge done. Nothing happens on a collecting instance, before ``purge_after``,
or a second time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from healthcode.kernel.clock import Clock
from healthcode.oversight.instance import InstanceState, InstanceUnitOfWork
from healthcode.sunset.ports import SunsetUnitOfWork
from healthcode.transparency.report import transparency_report
from healthcode.transparency.schemas import TransparencyOut


def _due(uow: SunsetUnitOfWork, clock: Clock) -> bool:
    with uow:
        state = uow.instance.get()
    return (
        state.retired
        and state.purged_at is None
        and state.purge_after is not None
        and state.purge_after <= clock.now()
    )


def purge_if_due(*, uow: SunsetUnitOfWork, clock: Clock) -> Mapping[str, int] | None:
    """Purge a retired instance whose grace period is over; rows deleted per table, or None
    when nothing was due."""
    if not _due(uow, clock):
        return None
    # the whole emergency: from the instance's first record to the purge, however long
    report = transparency_report(uow=uow, clock=clock, first=None, last=None, whole=True)
    final: dict[str, Any] = TransparencyOut.of(report).model_dump(mode="json")
    with uow:
        state = uow.instance.get(for_update=True)
        if not state.retired or state.purged_at is not None:
            return None  # reactivated or purged by another worker meanwhile
        deleted = uow.sunset.purge_personal_data()
        uow.sunset.erase_free_text()  # officials' words may name people: placeholders
        uow.instance.save(replace(state, purged_at=clock.now(), final_report=final))
        uow.commit()
    return deleted


def instance_state(*, uow: InstanceUnitOfWork) -> InstanceState:
    """The instance's state: collecting or retired, with the final report once purged. Public:
    it names no one (the proposal by its id, the report counts only)."""
    with uow:
        return uow.instance.get()


def final_report(*, uow: InstanceUnitOfWork) -> Mapping[str, Any] | None:
    """The final transparency report kept at the purge (None before it)."""
    return instance_state(uow=uow).final_report
