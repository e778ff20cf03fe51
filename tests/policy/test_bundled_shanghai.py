"""Shanghai's 2022 bundled policy, walked rule by rule at every boundary, to the second.
Times are China Standard Time."""

from __future__ import annotations

import pytest
from engine_facts import (
    Row,
    arrival,
    case,
    exposure,
    fever,
    lab_result,
    override,
    release,
    t,
    walk,
)

from healthcode.kernel.facts import Colour
from healthcode.policy.assess import assess
from healthcode.policy.bundled import bundled_policy
from healthcode.policy.model import Policy


@pytest.fixture(scope="module")
def shanghai() -> Policy:
    return bundled_policy("310000")


def test_positive_turns_green_at_once_on_a_negative_retest(shanghai: Policy) -> None:
    """A positive is red until a negative retest's result is known, to the second."""
    facts = [
        lab_result("r1", t("2026-04-10 10:00"), "positive", "antigen"),
        lab_result("r2", t("2026-04-10 22:00"), sampled_at=t("2026-04-10 14:00")),
    ]
    rows: list[Row] = [
        ("2026-04-10 09:59:59", "green", [], [], "2026-04-10 10:00:00"),
        ("2026-04-10 10:00:00", "red", ["positive-test"], [], "2026-04-10 22:00:00"),
        ("2026-04-10 21:59:59", "red", ["positive-test"], [], "2026-04-10 22:00:00"),
        ("2026-04-10 22:00:00", "green", [], [], None),
    ]
    walk(shanghai, facts, rows)


def test_close_contact_follows_7_plus_3(shanghai: Policy) -> None:
    """Red 7 days, yellow until day 10 with a negative PCR sampled after day 9."""
    facts = [
        exposure("e1", t("2026-04-01 18:30"), "close_contact"),
        lab_result("r1", t("2026-04-11 06:00"), sampled_at=t("2026-04-10 19:00")),
    ]
    both = ["close-contact-central", "close-contact-home"]
    rows: list[Row] = [
        ("2026-04-01 18:29:59", "green", [], [], "2026-04-01 18:30:00"),
        ("2026-04-01 18:30:00", "red", both, [], "2026-04-08 18:30:00"),
        ("2026-04-08 18:29:59", "red", both, [], "2026-04-08 18:30:00"),
        ("2026-04-08 18:30:00", "yellow", ["close-contact-home"], [], "2026-04-11 18:30:00"),
        ("2026-04-11 18:29:59", "yellow", ["close-contact-home"], [], "2026-04-11 18:30:00"),
        ("2026-04-11 18:30:00", "green", [], [], None),
    ]
    walk(shanghai, facts, rows)


def test_secondary_contact_is_yellow_for_7_days(shanghai: Policy) -> None:
    """Secondary contacts are yellow (home) for 7 days."""
    rows: list[Row] = [
        ("2026-05-01 10:00:00", "yellow", ["secondary-contact"], [], "2026-05-08 10:00:00"),
        ("2026-05-08 09:59:59", "yellow", ["secondary-contact"], [], "2026-05-08 10:00:00"),
        ("2026-05-08 10:00:00", "green", [], [], None),
    ]
    walk(shanghai, [exposure("e1", t("2026-05-01 10:00"), "secondary_contact")], rows)


@pytest.mark.parametrize(
    ("level", "colour", "rule"),
    [("medium", "yellow", "risk-area-medium"), ("high", "red", "risk-area-high")],
)
def test_risk_areas_by_level(shanghai: Policy, level: str, colour: str, rule: str) -> None:
    """Medium-risk areas are yellow, high-risk red, 7 days; no level matches neither."""
    facts = [exposure("e1", t("2026-05-01 10:00"), "risk_area", level=level)]
    rows: list[Row] = [
        ("2026-05-01 10:00:00", colour, [rule], [], "2026-05-08 10:00:00"),
        ("2026-05-08 09:59:59", colour, [rule], [], "2026-05-08 10:00:00"),
        ("2026-05-08 10:00:00", "green", [], [], None),
    ]
    walk(shanghai, facts, rows)
    unknown = [exposure("e2", t("2026-05-01 10:00"), "risk_area")]
    assert assess(unknown, shanghai, t("2026-05-02 10:00")).colour is Colour.GREEN


def test_a_low_risk_area_colours_nobody(shanghai: Policy) -> None:
    """Presence in a low-risk area leaves the code green, with nothing to wait for."""
    facts = [exposure("e1", t("2026-05-01 10:00"), "risk_area", level="low")]
    rows: list[Row] = [("2026-05-01 10:00:00", "green", [], [], None)]
    walk(shanghai, facts, rows)


def test_companion_needs_two_negative_pcrs(shanghai: Policy) -> None:
    """A companion is yellow until the second of two PCRs at least 24 h apart is known."""
    facts = [
        exposure("e1", t("2026-06-01 10:00"), "companion"),
        lab_result("r1", t("2026-06-01 20:00"), sampled_at=t("2026-06-01 12:00")),
        lab_result("r2", t("2026-06-02 20:00"), sampled_at=t("2026-06-02 12:00")),
    ]
    rows: list[Row] = [
        ("2026-06-01 10:00:00", "yellow", ["companion"], [], "2026-06-02 20:00:00"),
        ("2026-06-02 19:59:59", "yellow", ["companion"], [], "2026-06-02 20:00:00"),
        ("2026-06-02 20:00:00", "green", [], [], None),
    ]
    walk(shanghai, facts, rows)


def test_fever_is_yellow_until_a_negative_pcr(shanghai: Policy) -> None:
    """A declared fever is yellow until a PCR sampled after it comes back negative."""
    facts = [
        fever("d1", t("2026-06-10 08:00")),
        lab_result("r1", t("2026-06-10 23:00"), sampled_at=t("2026-06-10 10:00")),
    ]
    rows: list[Row] = [
        ("2026-06-10 08:00:00", "yellow", ["fever"], [], "2026-06-10 23:00:00"),
        ("2026-06-10 23:00:00", "green", [], [], None),
    ]
    walk(shanghai, facts, rows)


def test_arrivals_alone_change_nothing_in_shanghai(shanghai: Policy) -> None:
    """Shanghai's policy has no arrival rule: an arrival from Beijing stays green."""
    facts = [arrival("a1", t("2026-07-01 10:00"), "110105", to_region="310104")]
    status = assess(facts, shanghai, t("2026-07-02 10:00"))
    assert (status.colour, status.reasons, status.valid_until) == (Colour.GREEN, (), None)


def test_case_red_until_release_and_override_below_it(shanghai: Policy) -> None:
    """A case over a yellow override: red with both; after release, the override alone."""
    facts = [
        case("c1", t("2026-08-01 10:00")),
        override("o1", t("2026-08-01 11:00"), Colour.YELLOW, t("2026-08-10 11:00")),
        release("x1", t("2026-08-05 10:00"), "case"),
    ]
    rows: list[Row] = [
        ("2026-08-01 10:59:59", "red", ["case"], [], "2026-08-01 11:00:00"),
        ("2026-08-01 11:00:00", "red", ["case", "manual-override"], [], "2026-08-05 10:00:00"),
        ("2026-08-05 10:00:00", "yellow", ["manual-override"], [], "2026-08-10 11:00:00"),
        ("2026-08-10 11:00:00", "green", [], [], None),
    ]
    walk(shanghai, facts, rows)
