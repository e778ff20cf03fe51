"""Visitors' check-ins: a Hangzhou visitor checks in at a Beijing restaurant with Beijing's
place code on their Hangzhou code; Beijing keeps it as a visitor's presence (issuer and opaque
subject only), answers pass or stop by its acceptance rules, and tracing sends the visitor's
exposure home as for a checkpoint's scan."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from healthcode.app import create_app
from healthcode.codes.issuing import issue_code
from healthcode.container import Container
from healthcode.federation.trust import federated_trust_store
from healthcode.kernel.errors import InvalidInput
from healthcode.presence.checkins import PlaceScan, check_in
from healthcode.presence.model import Venue
from healthcode.presence.venues import VenueDetails, add_organisation, add_venue
from healthcode.presence.visitor_checkins import VisitorCheckin, visitor_check_in
from healthcode.tracing.quarantine import my_exposures
from tracing_helpers import confirm, officials, report, work
from visitors_helpers import BEIJING, HANGZHOU, TIANANMEN, TwoCities, two_cities

FAR = (39.99, 116.3975)  # about 9 km north of the restaurant


def _venue(world: TwoCities, kind: str = "restaurant", name: str = "全聚德") -> Venue:
    beijing = world.beijing
    org = add_organisation(uow=beijing.uow(), clock=beijing.clock, jurisdiction=BEIJING, name=name)
    return add_venue(
        uow=beijing.uow(),
        clock=beijing.clock,
        private_keys=beijing.private_keys,
        jurisdiction=BEIJING,
        details=VenueDetails(
            organisation_id=org.id,
            name_zh=name,
            name_en=f"{kind} {name}",
            kind=kind,
            lat=TIANANMEN[0],
            lon=TIANANMEN[1],
        ),
    )


def _code(city: Container, subject: str) -> str:
    return issue_code(
        uow=city.uow(),
        clock=city.clock,
        private_keys=city.private_keys,
        subject=subject,
        lifetime=city.settings.code_lifetime,
    ).token


def _check_in(
    world: TwoCities, code: str, venue: Venue, where: tuple[float, float] = TIANANMEN, **at: object
) -> VisitorCheckin:
    beijing = world.beijing
    store, _ = federated_trust_store(
        uow=beijing.uow(),
        clock=beijing.clock,
        private_keys=beijing.private_keys,
        jurisdiction=BEIJING,
        code_lifetime=beijing.settings.code_lifetime,
        clock_skew=beijing.settings.clock_skew,
    )
    return visitor_check_in(
        uow=beijing.uow(),
        clock=beijing.clock,
        jurisdiction=BEIJING,
        trust_store=store,
        code=code,
        scan=PlaceScan(place_code=venue.place_code, lat=where[0], lon=where[1], **at),  # type: ignore[arg-type]
    )


def _presences(world: TwoCities, venue: Venue) -> list[tuple[str, str, str]]:
    now = world.beijing.clock.now()
    with world.beijing.uow() as uow:
        found = uow.visitors.presences_at(
            [venue.id], start=now - timedelta(days=1), end=now + timedelta(days=1)
        )
    return [(p.issuer, p.subject, p.source) for p in found]


def test_a_visitor_checks_in_on_their_home_code(
    container: Container, tmp_path: Path, sqlite_template: Path
) -> None:
    """Pass by Beijing's rules, kept once as a visitor's presence under issuer and subject."""
    with two_cities(container, tmp_path / "beijing", sqlite_template) as world:
        visitor = world.hangzhou_resident()
        restaurant = _venue(world)
        code = _code(container, visitor)
        first = _check_in(world, code, restaurant)
        assert (first.outcome, first.issuer, first.colour) == ("pass", HANGZHOU, "green")
        assert first.recorded and first.flag is None
        again = _check_in(world, code, restaurant, at=world.beijing.clock.now())
        assert again.presence_id == first.presence_id  # the same check-in, kept once
        assert _presences(world, restaurant) == [(HANGZHOU, visitor, "checkin")]


def test_a_hospital_stops_a_visitor_and_keeps_the_presence(
    container: Container, tmp_path: Path, sqlite_template: Path
) -> None:
    """Beijing's hospitals admit Beijing codes only: a stop naming the rule, still a presence."""
    with two_cities(container, tmp_path / "beijing", sqlite_template) as world:
        visitor = world.hangzhou_resident()
        hospital = _venue(world, kind="hospital", name="协和医院")
        answer = _check_in(world, _code(container, visitor), hospital)
        assert answer.outcome == "stop" and "acceptance rule" in answer.decision
        assert answer.recorded
        assert answer.decision in answer.texts["en"]


def test_refused_and_far_check_ins_keep_nothing(
    container: Container, tmp_path: Path, sqlite_template: Path
) -> None:
    """A Beijing code, a garbage code, a bad place code are refused; far away is not kept."""
    with two_cities(container, tmp_path / "beijing", sqlite_template) as world:
        restaurant = _venue(world)
        own = _code(world.beijing, world.beijing_resident())
        with pytest.raises(InvalidInput, match="check in with your own account"):
            _check_in(world, own, restaurant)
        with pytest.raises(InvalidInput) as garbage:
            _check_in(world, "HZ2:NOTACODE", restaurant)
        assert garbage.value.problems[0].field == "code"
        code = _code(container, world.hangzhou_resident())
        far = _check_in(world, code, restaurant, where=FAR)
        assert (far.flag, far.recorded, far.outcome) == ("far_from_venue", False, "pass")
        assert "km" in far.texts["en"]
        with pytest.raises(InvalidInput):
            _check_in(world, code, restaurant, at=world.beijing.clock.now() + timedelta(hours=1))
        assert _presences(world, restaurant) == []


def test_the_api_checks_a_visitor_in_without_an_account(
    container: Container, tmp_path: Path, sqlite_template: Path
) -> None:
    """``POST /api/v1/visitors/checkins`` needs no session: 201 pass; a bad code is 422."""
    with two_cities(container, tmp_path / "beijing", sqlite_template) as world:
        restaurant = _venue(world)
        code = _code(container, world.hangzhou_resident())
        body = {"code": code, "place_code": restaurant.place_code, "lat": 39.9087, "lon": 116.3975}
        with TestClient(create_app(container=world.beijing)) as client:
            answered = client.post("/api/v1/visitors/checkins", json=body)
            assert answered.status_code == 201, answered.text
            got = answered.json()
            assert (got["outcome"], got["issuer"], got["recorded"]) == ("pass", HANGZHOU, True)
            assert "subject" not in got
            bad = client.post("/api/v1/visitors/checkins", json={**body, "code": "HZ2:X"})
            assert bad.status_code == 422


def test_a_visitor_who_checked_in_with_a_case_is_exposed_at_home(
    container: Container, tmp_path: Path, sqlite_template: Path
) -> None:
    """Beijing traces the checked-in visitor by the venue rule; Hangzhou records the exposure."""
    with two_cities(container, tmp_path / "beijing", sqlite_template) as world:
        beijing = world.beijing
        now = beijing.clock.now()
        restaurant = _venue(world)
        visitor = world.hangzhou_resident()
        _check_in(world, _code(container, visitor), restaurant, at=now - timedelta(hours=3))
        resident = world.beijing_resident()
        check_in(
            uow=beijing.uow(),
            clock=beijing.clock,
            jurisdiction=BEIJING,
            subject=resident,
            scan=PlaceScan(
                place_code=restaurant.place_code,
                lat=TIANANMEN[0],
                lon=TIANANMEN[1],
                at=now - timedelta(hours=3) + timedelta(minutes=10),
            ),
        )
        people = officials(beijing, BEIJING)
        case_id = report(beijing, people["wang"], resident, sampled_at=now - timedelta(hours=1))
        confirm(beijing, people["li"], case_id)
        work(beijing)
        work(beijing)
        assert len(world.sent) == 1
        (exposure,) = my_exposures(uow=container.uow(), subject=visitor)
        assert (exposure.source, exposure.city, exposure.rule) == ("peer", BEIJING, "venue")
        assert exposure.place_name == "全聚德 (restaurant 全聚德)"
