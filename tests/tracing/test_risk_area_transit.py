"""Risk areas naming a bus line or one trip, under the Shanghai policy, on both databases: rides
are presences on the trip ``<line>:<vehicle>``, so a line covers every vehicle's rides during
the window and a trip only its own; the exposure's evidence names the trip."""

from __future__ import annotations

from datetime import datetime

import pytest

from healthcode.codes.keys import init_keys
from healthcode.container import Container
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import Colour, Exposure, FactKind
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal
from healthcode.presence.model import Venue
from healthcode.presence.venues import VenueDetails, add_organisation, add_venue
from healthcode.status.assessment import current_status
from healthcode.tracing.model.findings import Interval
from healthcode.tracing.quarantine import my_exposures
from tracing_helpers import hours, officials, resident, ride, stay, work

SHANGHAI = "310000"


@pytest.fixture
def who(container: Container) -> dict[str, Principal]:
    return officials(container, SHANGHAI)


def _venue(container: Container, name: str, kind: str) -> Venue:
    org = add_organisation(
        uow=container.uow(), clock=container.clock, jurisdiction=SHANGHAI, name=f"{name} 公司"
    )
    return add_venue(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction=SHANGHAI,
        details=VenueDetails(
            organisation_id=org.id, name_zh=name, name_en=name, kind=kind, lat=31.2304, lon=121.4737
        ),
    )


@pytest.fixture
def lines(container: Container) -> dict[str, Venue]:
    """Bus lines 71 and 49 and a restaurant of Shanghai, with the keys that sign place codes."""
    init_keys(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction=SHANGHAI,
    )
    return {
        "71": _venue(container, "71路", "bus_route"),
        "49": _venue(container, "49路", "bus_route"),
        "restaurant": _venue(container, "餐厅", "restaurant"),
    }


def colour(container: Container, subject: str) -> Colour:
    return current_status(uow=container.uow(), clock=container.clock, subject=subject).colour


def declare(container: Container, who: dict[str, Principal], level: str, venues: list[str]) -> None:
    """wang proposes and li approves an area from 24 h ago to 24 h ahead; the worker scans it."""
    now = container.clock.now()
    proposal = proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who["wang"],
        action="declare_risk_area",
        payload={
            "name": "公交线路",
            "level": level,
            "venues": venues,
            "starts_at": (now - hours(24)).isoformat(),
            "ends_at": (now + hours(24)).isoformat(),
        },
        reason="a case rode this bus while infectious",
    )
    proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who["li"],
        proposal_id=proposal.id,
    )
    work(container)


def _ride(container: Container, subject: str, trip: str, start: float, end: float) -> None:
    now: datetime = container.clock.now()
    ride(container, subject, trip, now + hours(start), now + hours(end))


def test_a_line_declared_as_risk_area_flags_its_riders_on_every_vehicle(
    container: Container, who: dict[str, Principal], lines: dict[str, Venue]
) -> None:
    """A line declared a risk area turns its riders in the window red, on any of its vehicles."""
    l71, l49 = lines["71"].id, lines["49"].id
    names = ["on_a", "on_b", "before", "other_line", "lookalike", "gate"]
    p = {n: resident(container, i, jurisdiction=SHANGHAI) for i, n in enumerate(names, start=1)}
    _ride(container, p["on_a"], f"{l71}:沪A12345", -5, -4.5)
    _ride(container, p["on_b"], f"{l71}:沪B67890", -30, -23.5)  # ends inside the window
    _ride(container, p["before"], f"{l71}:沪A12345", -30, -29)
    _ride(container, p["other_line"], f"{l49}:沪A12345", -5, -4.5)
    _ride(container, p["lookalike"], f"{l71}-depot", -5, -4.5)
    now = container.clock.now()
    stay(container, p["gate"], l71, now - hours(3), kind="bus_route", source="scan")
    declare(container, who, "high", [l71])
    colours = {n: colour(container, s) for n, s in p.items()}
    assert colours == {
        "on_a": Colour.RED,
        "on_b": Colour.RED,
        "before": Colour.GREEN,
        "other_line": Colour.GREEN,
        "lookalike": Colour.GREEN,
        "gate": Colour.RED,  # a scan at the line itself (no vehicle) is on it too
    }
    status = current_status(uow=container.uow(), clock=container.clock, subject=p["on_b"])
    (reason,) = status.reasons
    assert reason.rule_id == "risk-area-high"
    with container.uow() as uow:
        facts = uow.facts.for_subject(p["on_b"], kinds=[FactKind.EXPOSURE])
    exposures = [f for f in facts if isinstance(f, Exposure) and f.id in reason.fact_ids]
    assert [(e.place_id, e.level) for e in exposures] == [(f"{l71}:沪B67890", "high")]
    (shown,) = my_exposures(uow=container.uow(), subject=p["on_b"])
    assert shown.place_id == f"{l71}:沪B67890"
    assert [c.place_id for c in shown.contacts] == [f"{l71}:沪B67890"]
    assert shown.contacts[0].overlap == Interval(now - hours(24), now - hours(23.5))


def test_a_trip_declared_as_risk_area_flags_only_that_vehicle(
    container: Container, who: dict[str, Principal], lines: dict[str, Venue]
) -> None:
    """A trip declared a risk area flags that vehicle's riders, not the line's other vehicles."""
    l71 = lines["71"].id
    p = {n: resident(container, i, jurisdiction=SHANGHAI) for i, n in enumerate(["on", "off"], 1)}
    _ride(container, p["on"], f"{l71}:沪A12345", -5, -4.5)
    _ride(container, p["off"], f"{l71}:沪B67890", -5, -4.5)
    declare(container, who, "medium", [f"{l71}:沪A12345"])
    assert colour(container, p["on"]) is Colour.YELLOW
    assert colour(container, p["off"]) is Colour.GREEN
    (shown,) = my_exposures(uow=container.uow(), subject=p["on"])
    assert (shown.place_id, shown.level) == (f"{l71}:沪A12345", "medium")


def test_a_trip_must_name_a_line_of_here_and_a_vehicle(
    container: Container, who: dict[str, Principal], lines: dict[str, Venue]
) -> None:
    """A trip on a non-line, an unknown line or no vehicle is refused, naming its venues entry."""
    now = container.clock.now()
    with pytest.raises(InvalidInput) as refused:
        proposals.propose(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=who["wang"],
            action="declare_risk_area",
            payload={
                "name": "x",
                "level": "high",
                "venues": [
                    f"{lines['restaurant'].id}:沪A12345",
                    f"{'0' * 32}:沪A12345",
                    f"{lines['71'].id}:",
                ],
                "starts_at": (now - hours(1)).isoformat(),
                "ends_at": (now + hours(1)).isoformat(),
            },
            reason="x",
        )
    problems = {(p.field, p.message) for p in refused.value.problems}
    assert problems == {
        ("payload.venues[0]", "a restaurant has no vehicles: name the venue alone"),
        ("payload.venues[1]", "no such venue here"),
        ("payload.venues[2]", "the vehicle must be 1 to 31 printable characters"),
    }
