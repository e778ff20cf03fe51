"""Ending a risk area early by four eyes, on both databases: it ends at the approval, what its
window found stays, a presence after the end is no exposure; an ended or unknown area, or one of
another jurisdiction, cannot be ended; the proposer cannot approve it."""

from __future__ import annotations

import pytest

from healthcode.container import Container
from healthcode.kernel.errors import Conflict, NotAllowed, NotFound
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal
from healthcode.oversight.model import ProposalKind
from healthcode.tracing.risk_areas import list_risk_areas
from identity_helpers import add_test_official, principal
from tracing_helpers import hours, officials

CELL = "88309a42cdfffff"


def _propose(container: Container, who: Principal, action: str, payload: dict[str, object]) -> str:
    return proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who,
        action=action,
        payload=payload,
        reason="a cluster, then contained",
    ).id


def _approve(container: Container, who: Principal, proposal_id: str) -> None:
    proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who,
        proposal_id=proposal_id,
    )


def _area(container: Container, who: dict[str, Principal], start: float, end: float) -> str:
    now = container.clock.now()
    payload = {
        "name": "西湖小区",
        "level": "high",
        "cells": [CELL],
        "starts_at": (now + hours(start)).isoformat(),
        "ends_at": (now + hours(end)).isoformat(),
    }
    _approve(container, who["li"], _propose(container, who["wang"], "declare_risk_area", payload))
    [area] = list_risk_areas(
        uow=container.uow(), clock=container.clock, jurisdiction="330100", active_only=False
    )
    return area.id


def _listed(container: Container) -> list[tuple[str, object, object]]:
    areas = list_risk_areas(
        uow=container.uow(), clock=container.clock, jurisdiction="330100", active_only=True
    )
    return [(a.id, a.starts_at, a.ends_at) for a in areas]


def test_an_area_ends_at_the_approval_and_is_no_longer_listed(container: Container) -> None:
    """The end waits for a second official; approved an hour later, the area ends then."""
    who = officials(container)
    area_id = _area(container, who, -2, 48)
    end = ProposalKind.END_RISK_AREA.value
    proposal_id = _propose(container, who["wang"], end, {"risk_area": area_id})
    assert [a for a, _, _ in _listed(container)] == [area_id]
    with pytest.raises(NotAllowed):
        _approve(container, who["wang"], proposal_id)
    container.clock.advance(hours(1))  # type: ignore[attr-defined]
    _approve(container, who["li"], proposal_id)
    assert _listed(container) == []
    with container.uow() as uow:
        area = uow.risk_areas.get(area_id)
    assert area is not None
    assert area.ends_at == container.clock.now()
    assert area.starts_at == container.clock.now() - hours(3)


def test_an_area_not_started_ends_with_an_empty_window(container: Container) -> None:
    """Ending a planned area leaves it a window of nothing."""
    who = officials(container)
    area_id = _area(container, who, 5, 48)
    end = ProposalKind.END_RISK_AREA.value
    _approve(container, who["li"], _propose(container, who["wang"], end, {"risk_area": area_id}))
    with container.uow() as uow:
        area = uow.risk_areas.get(area_id)
    assert area is not None
    assert area.starts_at == area.ends_at == container.clock.now()


def test_an_ended_unknown_or_foreign_area_cannot_be_ended(container: Container) -> None:
    """Ended: a conflict; unknown or another jurisdiction's: not found."""
    who = officials(container)
    area_id = _area(container, who, -2, 1)
    end = ProposalKind.END_RISK_AREA.value
    container.clock.advance(hours(2))  # type: ignore[attr-defined]
    with pytest.raises(Conflict):
        _propose(container, who["wang"], end, {"risk_area": area_id})
    with pytest.raises(NotFound):
        _propose(container, who["wang"], end, {"risk_area": "no-such-area"})
    open_area = _area_again(container, who)
    add_test_official(container, "sh.wang", "official", "310000")
    with pytest.raises(NotFound):
        _propose(container, principal(container, "sh.wang"), end, {"risk_area": open_area})


def _area_again(container: Container, who: dict[str, Principal]) -> str:
    now = container.clock.now()
    payload = {
        "name": "另一小区",
        "level": "medium",
        "cells": [CELL],
        "starts_at": now.isoformat(),
        "ends_at": (now + hours(24)).isoformat(),
    }
    _approve(container, who["li"], _propose(container, who["wang"], "declare_risk_area", payload))
    [area] = list_risk_areas(
        uow=container.uow(), clock=container.clock, jurisdiction="330100", active_only=True
    )
    return area.id
