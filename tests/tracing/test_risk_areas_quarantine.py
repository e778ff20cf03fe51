"""Risk areas, spatio-temporal companions and quarantine orders under the Shanghai policy, on
both databases: presence in an area becomes an exposure at its level, companions follow the
Chengdu thresholds, and a quarantine ends to the second with its notification queued."""

from __future__ import annotations

from datetime import timedelta

import pytest

from healthcode.codes.keys import init_keys
from healthcode.container import Container
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import Colour
from healthcode.notifications.delivery import outbox
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal
from healthcode.presence.venues import VenueDetails, add_organisation, add_venue
from healthcode.status.assessment import current_status, status_history
from healthcode.tracing.quarantine import list_quarantines, propose_release
from identity_helpers import add_test_channel, bind_to_channel
from tracing_helpers import confirm, hours, officials, report, resident, stay, work

SHANGHAI = "310000"
CELL = "88309a4299fffff"  # People's Square, Shanghai (H3 resolution 8)
OTHER_CELL = "88309a42d3fffff"


@pytest.fixture
def who(container: Container) -> dict[str, Principal]:
    return officials(container, SHANGHAI)


def colour(container: Container, subject: str) -> Colour:
    return current_status(uow=container.uow(), clock=container.clock, subject=subject).colour


def gps(container: Container, subject: str, start: float, end: float, cell: str = CELL) -> None:
    """A location stay in ``cell`` from ``start`` to ``end`` hours from now."""
    now = container.clock.now()
    stay(
        container,
        subject,
        cell,
        now + hours(start),
        now + hours(end),
        kind="cell",
        source="gps",
        cell=cell,
    )


def test_presence_in_a_risk_area_is_an_exposure_at_its_level(
    container: Container, who: dict[str, Principal]
) -> None:
    """Anyone in a high-risk area during its window turns red, even if recorded after it."""
    init_keys(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction=SHANGHAI,
    )
    org = add_organisation(
        uow=container.uow(), clock=container.clock, jurisdiction=SHANGHAI, name="新发地"
    )
    market = add_venue(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction=SHANGHAI,
        details=VenueDetails(
            organisation_id=org.id,
            name_zh="菜市场",
            name_en="Market",
            kind="market",
            lat=31.2304,
            lon=121.4737,
        ),
    )
    names = ["walker", "buyer", "before", "neighbour", "later"]
    p = {n: resident(container, i, jurisdiction=SHANGHAI) for i, n in enumerate(names, start=1)}
    gps(container, p["walker"], -10, -9)
    now = container.clock.now()
    stay(container, p["buyer"], market.id, now - hours(5), kind="market", cell=market.cell)
    gps(container, p["before"], -40, -30)
    gps(container, p["neighbour"], -10, -9, cell=OTHER_CELL)
    with pytest.raises(InvalidInput):
        proposals.propose(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=who["wang"],
            action="declare_risk_area",
            payload={"name": "x", "level": "extreme", "cells": ["nope"]},
            reason="x",
        )
    proposal = proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who["wang"],
        action="declare_risk_area",
        payload={
            "name": "人民广场",
            "level": "high",
            "cells": [CELL],
            "venues": [market.id],
            "starts_at": (now - hours(24)).isoformat(),
            "ends_at": (now + hours(24)).isoformat(),
        },
        reason="cluster of cases at the market",
    )
    proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who["li"],
        proposal_id=proposal.id,
    )
    work(container)
    colours = {n: colour(container, s) for n, s in p.items()}
    assert colours == {
        "walker": Colour.RED,
        "buyer": Colour.RED,
        "before": Colour.GREEN,
        "neighbour": Colour.GREEN,
        "later": Colour.GREEN,
    }
    reasons = current_status(uow=container.uow(), clock=container.clock, subject=p["buyer"]).reasons
    assert [r.rule_id for r in reasons] == ["risk-area-high"]
    # a presence recorded later is found by the next scan
    container.clock.advance(hours(1))  # type: ignore[attr-defined]
    gps(container, p["later"], -0.5, -0.25)
    work(container)
    assert colour(container, p["later"]) is Colour.RED
    assert colour(container, p["neighbour"]) is Colour.GREEN


def test_chengdu_companions_turn_yellow(container: Container, who: dict[str, Principal]) -> None:
    """Under the Chengdu preset, 15 minutes in a case's home cell turns a phone yellow, 10 not."""
    names = ["case", "companion", "passer"]
    p = {n: resident(container, i, jurisdiction=SHANGHAI) for i, n in enumerate(names, start=1)}
    gps(container, p["case"], -60, -25)
    gps(container, p["companion"], -26, -25 + 0.25 - 1)  # 15 minutes with the case
    gps(container, p["passer"], -25 - 1 / 6, -24)  # 10 minutes exactly
    now = container.clock.now()
    case_id = report(
        container, who["wang"], p["case"], sampled_at=now - hours(20), onset_at=now - hours(20)
    )
    confirm(container, who["li"], case_id)
    work(container)
    assert colour(container, p["companion"]) is Colour.YELLOW
    assert colour(container, p["passer"]) is Colour.GREEN
    status = current_status(uow=container.uow(), clock=container.clock, subject=p["companion"])
    assert [r.rule_id for r in status.reasons] == ["companion"]


def test_quarantine_ends_on_time_and_is_notified(
    container: Container, who: dict[str, Principal]
) -> None:
    """A contact turns yellow the second central quarantine ends, and is told; a release ends it."""
    p = {n: resident(container, i, jurisdiction=SHANGHAI) for i, n in enumerate(["case", "cc"], 1)}
    kit = add_test_channel(container, "alipay")
    bind_to_channel(container, kit, p["cc"], "u-cc")
    now = container.clock.now()
    last_contact = now - hours(20)
    stay(container, p["case"], "cafe", now - hours(21), last_contact, kind="restaurant")
    stay(container, p["cc"], "cafe", now - hours(21), last_contact, kind="restaurant")
    case_id = report(
        container, who["wang"], p["case"], sampled_at=now - hours(2), onset_at=now - hours(2)
    )
    confirm(container, who["li"], case_id)
    work(container)
    assert colour(container, p["cc"]) is Colour.RED
    orders = list_quarantines(uow=container.uow(), clock=container.clock, principal=who["wang"])
    assert [(o.order.setting, o.state, o.order.planned_end) for o in orders] == [
        ("central", "in_force", last_contact + timedelta(days=7)),
        ("home", "planned", last_contact + timedelta(days=10)),
    ]
    day7 = last_contact + timedelta(days=7)
    container.clock.set(day7 + timedelta(seconds=30))  # type: ignore[attr-defined]
    work(container)  # nobody asked for the status: the worker reassesses it when due
    history = status_history(uow=container.uow(), clock=container.clock, subject=p["cc"])
    assert (history[-1].colour_from, history[-1].colour_to, history[-1].at) == (
        Colour.RED,
        Colour.YELLOW,
        day7,
    )
    queued = [m for m in outbox(uow=container.uow()) if m.subject == p["cc"]]
    assert [m.body.count('"colour_to": "yellow"') for m in queued][-1] == 1
    reasons = {
        r.rule_id
        for r in current_status(uow=container.uow(), clock=container.clock, subject=p["cc"]).reasons
    }
    assert reasons == {"close-contact-home", "quarantine-home"}
    release = propose_release(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who["wang"],
        subject=p["cc"],
        reason="negative PCR, released by the district",
    )
    proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who["li"],
        proposal_id=release.id,
    )
    reasons = {
        r.rule_id
        for r in current_status(uow=container.uow(), clock=container.clock, subject=p["cc"]).reasons
    }
    assert reasons == {"close-contact-home"}
    assert list_quarantines(uow=container.uow(), clock=container.clock, principal=who["wang"]) == []
