"""A destination's arrival rule reading the origin's answer: Beijing (the test's database,
each backend) with a rule making an arrival from a city with a medium- or high-risk area yellow
7 days; Shanghai (its own database) answering whether it has such an area in force."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from arrivals_helpers import BEIJING, SHANGHAI, beijing_and_shanghai, official_of
from healthcode.container import Container
from healthcode.federation.arrivals import issue_consent
from healthcode.federation.arrivals_destination import record_arrival, visitor_status
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.facts import Colour
from healthcode.policy.loader import load_policy
from healthcode.settings import Settings
from healthcode.tracing.model.risk_areas import RiskArea

TEXT = {"zh": "文字", "en": "text"}
POLICY = yaml.safe_dump(
    {
        "jurisdiction": BEIJING,
        "version": "2026.9",
        "name": TEXT,
        "timezone": "+08:00",
        "rules": [
            {
                "id": "arrival-from-risk-area",
                "fact": "arrival",
                "origin_risk_area": ["medium", "high"],
                "colour": "yellow",
                "window": {"after": "P7D"},
                "text": TEXT,
                "clears_when": TEXT,
            }
        ],
    },
    allow_unicode=True,
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test's container serves Beijing."""
    return settings.model_copy(update={"jurisdiction": BEIJING})


def _activate(container: Container, clock: FixedClock) -> None:
    with container.uow() as uow:
        uow.policies.add(
            source=POLICY,
            policy=load_policy(POLICY),
            activated_at=clock.now(),
            activated_by="test",
            approved_by=None,
        )
        uow.commit()


def _declare_area(city: Container, clock: FixedClock, level: str) -> None:
    now = clock.now()
    with city.uow() as uow:
        uow.risk_areas.add(
            RiskArea(
                id=f"area-{level}",
                jurisdiction=SHANGHAI,
                name="浦东 Pudong",
                level=level,
                cells=(),
                venues=("venue-1",),
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=10),
                declared_at=now - timedelta(days=1),
                proposed_by="a",
                approved_by="b",
            )
        )
        uow.commit()


@pytest.mark.parametrize(("level", "colour"), [("medium", "yellow"), (None, "green")])
def test_an_arrival_from_a_city_with_a_medium_risk_area_is_yellow_7_days(
    container: Container,
    clock: FixedClock,
    tmp_path: Path,
    sqlite_template: Path,
    level: str | None,
    colour: str,
) -> None:
    """A medium-risk area at the origin: yellow 7 days, then green; none there: green at once."""
    _activate(container, clock)
    with beijing_and_shanghai(container, tmp_path, sqlite_template) as cities:
        if level is not None:
            _declare_area(cities.shanghai, clock, level)
        citizen = cities.resident()
        token = issue_consent(
            uow=cities.shanghai.uow(),
            clock=cities.shanghai.clock,
            private_keys=cities.shanghai.private_keys,
            principal=citizen,
            destination=BEIJING,
            serving=SHANGHAI,
        ).token
        arrived_at = clock.now()
        visitor = record_arrival(
            uow_factory=container.uow,
            clock=clock,
            private_keys=container.private_keys,
            principal=cities.officer,
            token=token,
            link=cities.link(),
            serving=BEIJING,
        )
        (arrival,) = visitor.arrivals
        assert arrival.origin_risk_area == (level or "none")
        assert arrival.origin_colour.value == "green"  # the visitor's own colour at home
        assert visitor.status.colour.value == colour
        if level is None:
            assert visitor.status.reasons == ()
            return
        assert [r.rule_id for r in visitor.status.reasons] == ["arrival-from-risk-area"]
        assert visitor.status.valid_until == arrived_at + timedelta(days=7)
        official = official_of(container, "zhao")
        clock.advance(timedelta(days=7))
        later = visitor_status(
            uow=container.uow(),
            clock=clock,
            principal=official,
            issuer=SHANGHAI,
            subject=citizen.id,
            serving=BEIJING,
        )
        assert later.status.colour is Colour.GREEN
        assert later.arrivals[0].origin_risk_area == "medium"  # as stored
