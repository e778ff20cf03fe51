"""A week of a city for the console's dashboard and map: four confirmed cases (three met at a
restaurant, one alone at a hospital), their contacts traced, a case waiting for its second
official, a flagged check-in and a high-risk area on the restaurant's cell."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from healthcode.container import Container
from healthcode.kernel.clock import FixedClock
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal
from presence_helpers import FAR_AWAY, City, check_in_at, city
from tracing_helpers import confirm, hours, officials, report, resident, stay, work

CASES_AT_RESTAURANT = 3
CONTACTS_AT_RESTAURANT = 3


@dataclass(frozen=True)
class Week:
    places: City
    who: dict[str, Principal]
    cases: list[str]  # the four confirmed
    contacts: list[str]
    waiting: str  # reported, not confirmed
    area: str  # the risk area's proposal id


def _risk_area(container: Container, who: dict[str, Principal], cell: str) -> str:
    now = container.clock.now()
    proposal = proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who["wang"],
        action="declare_risk_area",
        payload={
            "name": "西湖餐馆区",
            "level": "high",
            "cells": [cell],
            "starts_at": (now - hours(48)).isoformat(),
            "ends_at": (now + hours(72)).isoformat(),
        },
        reason="cluster of cases at the restaurant",
    )
    proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=who["li"],
        proposal_id=proposal.id,
    )
    return proposal.id


def a_week(container: Container, clock: FixedClock) -> Week:
    """Everyone registered two days before T0 + 2 d; cases confirmed the day before; the risk
    area, the waiting case and the flagged check-in on the last day."""
    places = city(container)
    who = officials(container)
    people = [resident(container, n) for n in range(1, 10)]
    at_restaurant = people[:CASES_AT_RESTAURANT]
    lone = people[3]
    contacts = people[4 : 4 + CONTACTS_AT_RESTAURANT]
    waiting = people[7]
    clock.advance(timedelta(days=1))
    now = clock.now()
    for subject in [*at_restaurant, *contacts]:
        stay(
            container,
            subject,
            places.restaurant.id,
            now - hours(6),
            now - hours(4),
            cell=places.restaurant.cell,
        )
    stay(
        container,
        lone,
        places.hospital.id,
        now - hours(6),
        now - hours(5),
        kind="hospital",
        cell=places.hospital.cell,
    )
    for subject in [*at_restaurant, lone]:
        confirm(
            container, who["li"], report(container, who["wang"], subject, sampled_at=now - hours(2))
        )
    work(container)
    clock.advance(timedelta(days=1))
    report(container, who["wang"], waiting, sampled_at=clock.now() - hours(1))
    check_in_at(container, people[8], places.restaurant.place_code, FAR_AWAY)
    area = _risk_area(container, who, places.restaurant.cell)
    work(container)
    return Week(places, who, [*at_restaurant, lone], contacts, waiting, area)
