"""An arrival rule reading what the visitor's home city answered (``origin_colour``,
``origin_risk_area``): the loader checks the keys by name, the assessment matches only the
arrivals whose origin answered a listed value, and Shanghai's bundled rule uses it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml

from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import Arrival, Colour
from healthcode.policy.assess import assess
from healthcode.policy.bundled import bundled_policy
from healthcode.policy.loader import load_policy

NOW = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
TEXT = {"zh": "文字", "en": "text"}


def _policy(**rule: Any) -> str:
    body: dict[str, Any] = {
        "id": "arrival-from-risk-area",
        "fact": "arrival",
        "colour": "yellow",
        "window": {"after": "P7D"},
        "text": TEXT,
        "clears_when": TEXT,
        **rule,
    }
    return yaml.safe_dump(
        {
            "jurisdiction": "110000",
            "version": "2026.1",
            "name": TEXT,
            "timezone": "+08:00",
            "rules": [body],
        },
        allow_unicode=True,
    )


def _arrival(
    colour: str | None = "green", risk: str | None = "none", source: str = "consent"
) -> Arrival:
    return Arrival(
        id="a1",
        subject="310000:s1",
        at=NOW,
        recorded_at=NOW,
        from_region="310000",
        to_region="110000",
        source=source,
        origin_colour=colour,
        origin_risk_area=risk,
    )


def _colour(policy: str, fact: Arrival, at: datetime = NOW) -> Colour:
    return assess([fact], load_policy(policy), at, subject=fact.subject).colour


def test_a_rule_on_the_origins_risk_areas_matches_only_those_levels() -> None:
    """Medium or high at the origin is yellow 7 days; none, low, unknown or a resident's is not."""
    policy = _policy(origin_risk_area=["medium", "high"])
    assert _colour(policy, _arrival(risk="medium")) is Colour.YELLOW
    assert _colour(policy, _arrival(risk="high")) is Colour.YELLOW
    assert _colour(policy, _arrival(risk="medium"), NOW + timedelta(days=7)) is Colour.GREEN
    for quiet in (_arrival(risk="none"), _arrival(risk="low"), _arrival(risk=None)):
        assert _colour(policy, quiet) is Colour.GREEN
    resident = _arrival(colour=None, risk=None, source="gps")
    assert _colour(policy, resident) is Colour.GREEN


def test_origin_colour_and_when_must_all_hold() -> None:
    """With origin_colour and a when, the rule holds only when every part does."""
    policy = _policy(
        origin_colour=["yellow", "red"],
        origin_risk_area=["medium"],
        when={"===": [{"var": "source"}, "consent"]},
    )
    assert _colour(policy, _arrival(colour="yellow", risk="medium")) is Colour.YELLOW
    assert _colour(policy, _arrival(colour="green", risk="medium")) is Colour.GREEN
    assert _colour(policy, _arrival(colour="red", risk="low")) is Colour.GREEN
    only_colour = _policy(origin_colour=["red"])
    assert _colour(only_colour, _arrival(colour="red", risk=None)) is Colour.YELLOW


def test_a_condition_may_read_the_origin_fields_as_certlogic() -> None:
    """``origin_colour`` and ``origin_risk_area`` are fields of arrival facts for ``when``."""
    policy = _policy(when={"===": [{"var": "origin_colour"}, "red"]})
    assert _colour(policy, _arrival(colour="red")) is Colour.YELLOW
    assert _colour(policy, _arrival(colour="yellow")) is Colour.GREEN


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (
            {"origin_colour": ["yellow", "amber"]},
            "rules[arrival-from-risk-area].origin_colour[1]: 'amber' is not a colour",
        ),
        (
            {"origin_risk_area": ["severe"]},
            "rules[arrival-from-risk-area].origin_risk_area[0]: 'severe' is not a level",
        ),
        (
            {"origin_risk_area": "medium"},
            "rules[arrival-from-risk-area].origin_risk_area: must be a non-empty list",
        ),
        ({"origin_colour": []}, "origin_colour: must be a non-empty list of colours"),
        (
            {"fact": "exposure", "origin_risk_area": ["medium"]},
            "rules[arrival-from-risk-area].origin_risk_area: only a rule on arrival facts",
        ),
        (
            {"kind": "override", "colour": None, "origin_colour": ["red"]},
            "rules[arrival-from-risk-area].origin_colour: only a rule on arrival facts",
        ),
    ],
)
def test_origin_keys_written_wrong_are_refused_by_name(rule: dict[str, Any], problem: str) -> None:
    """A bad value, a non-list or the keys on another kind of rule are named in the error."""
    if rule.get("kind") == "override":
        rule = {**rule, "fact": "manual_override"}
    text = _policy(**rule)
    if rule.get("kind") == "override":
        loaded = yaml.safe_load(text)
        for key in ("colour", "window"):
            loaded["rules"][0].pop(key)
        text = yaml.safe_dump(loaded, allow_unicode=True)
    with pytest.raises(InvalidInput) as refused:
        load_policy(text)
    assert problem in str(refused.value), str(refused.value)


def test_shanghai_makes_an_arrival_from_a_city_with_a_medium_risk_area_yellow_7_days() -> None:
    """The bundled Shanghai rule: yellow 7 days from a city with a medium-risk area."""
    shanghai = bundled_policy("310000")
    visitor = Arrival(
        id="a1",
        subject="110000:s1",
        at=NOW,
        recorded_at=NOW,
        from_region="110000",
        to_region="310000",
        source="consent",
        origin_colour="green",
        origin_risk_area="medium",
    )
    status = assess([visitor], shanghai, NOW, subject=visitor.subject)
    assert status.colour is Colour.YELLOW
    assert [r.rule_id for r in status.reasons] == ["arrival-from-risk-area"]
    assert status.valid_until == NOW + timedelta(days=7)
    calm = assess([_arrival_of(visitor, "none")], shanghai, NOW, subject=visitor.subject)
    assert calm.colour is Colour.GREEN


def _arrival_of(fact: Arrival, risk: str) -> Arrival:
    return Arrival(
        id=fact.id,
        subject=fact.subject,
        at=fact.at,
        recorded_at=fact.recorded_at,
        from_region=fact.from_region,
        to_region=fact.to_region,
        source=fact.source,
        origin_colour=fact.origin_colour,
        origin_risk_area=risk,
    )
