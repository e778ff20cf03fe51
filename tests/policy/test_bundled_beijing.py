"""Beijing's bundled policy, walked rule by rule: colour, reasons, notices and valid_until just
before and at every boundary, to the second. Times are China Standard Time."""

from __future__ import annotations

import pytest
from engine_facts import (
    Row,
    arrival,
    case,
    exposure,
    fever,
    identity_check,
    lab_result,
    override,
    quarantine,
    release,
    t,
    walk,
)

from healthcode.kernel.facts import Colour, Fact
from healthcode.policy.assess import assess
from healthcode.policy.bundled import bundled_policy
from healthcode.policy.model import Policy


@pytest.fixture(scope="module")
def beijing() -> Policy:
    return bundled_policy("110000")


def test_arrival_from_another_province_is_yellow_for_exactly_14_days(beijing: Policy) -> None:
    """An arrival from Hangzhou is yellow from arrival to arrival + 14 days, to the second."""
    facts = [arrival("a1", t("2026-01-01 10:00:00"), from_region="330100")]
    rows: list[Row] = [
        ("2026-01-01 09:59:59", "green", [], [], "2026-01-01 10:00:00"),
        ("2026-01-01 10:00:00", "yellow", ["arrival-other-province"], [], "2026-01-15 10:00:00"),
        ("2026-01-15 09:59:59", "yellow", ["arrival-other-province"], [], "2026-01-15 10:00:00"),
        ("2026-01-15 10:00:00", "green", [], [], None),
    ]
    walk(beijing, facts, rows)


def test_arrival_reason_names_fact_start_and_end(beijing: Policy) -> None:
    """The arrival reason lists the arrival, since the arrival, ends 14 days later."""
    status = assess(
        [arrival("a1", t("2026-01-01 10:00"), "330100")], beijing, t("2026-01-05 12:00")
    )
    (reason,) = status.reasons
    assert reason.fact_ids == ("a1",)
    assert reason.since == t("2026-01-01 10:00")
    assert reason.ends_at == t("2026-01-15 10:00")
    assert reason.text["zh"].startswith("外省进京")


@pytest.mark.parametrize(
    ("origin", "colour"),
    [("330100", "yellow"), ("130100", "yellow"), ("110108", "green"), ("110000", "green")],
)
def test_only_arrivals_from_outside_beijing_count(
    beijing: Policy, origin: str, colour: str
) -> None:
    """An arrival from a district of Beijing itself (province 11) starts no home observation."""
    status = assess([arrival("a1", t("2026-01-01 10:00"), origin)], beijing, t("2026-01-02 10:00"))
    assert status.colour.value == colour


def test_two_arrivals_make_one_reason_ending_at_the_later_end(beijing: Policy) -> None:
    """Overlapping windows of one rule: one reason, both facts, ending at the later end."""
    facts = [
        arrival("a1", t("2026-01-01 10:00"), "330100"),
        arrival("a2", t("2026-01-05 08:00"), "310000"),
    ]
    status = assess(facts, beijing, t("2026-01-06 00:00"))
    (reason,) = status.reasons
    assert reason.fact_ids == ("a1", "a2")
    assert (reason.since, reason.ends_at) == (t("2026-01-01 10:00"), t("2026-01-19 08:00"))
    assert status.valid_until == t("2026-01-15 10:00")
    later = assess(facts, beijing, t("2026-01-15 10:00"))
    assert later.reasons[0].fact_ids == ("a2",)
    assert later.valid_until == t("2026-01-19 08:00")


def _close_contact(*tests: Fact) -> list[Fact]:
    return [exposure("e1", t("2026-02-01 08:00"), "close_contact"), *tests]


def test_close_contact_is_red_7_days_then_yellow_until_day_10_with_a_negative_pcr(
    beijing: Policy,
) -> None:
    """7+3: red 7 days, yellow until day 10 given a PCR sampled after day 9."""
    pcr = lab_result(
        "r1", t("2026-02-10 20:00"), "negative", "pcr", sampled_at=t("2026-02-10 09:00")
    )
    both = ["close-contact-central", "close-contact-home"]
    rows: list[Row] = [
        ("2026-02-01 07:59:59", "green", [], [], "2026-02-01 08:00:00"),
        ("2026-02-01 08:00:00", "red", both, [], "2026-02-08 08:00:00"),
        ("2026-02-08 07:59:59", "red", both, [], "2026-02-08 08:00:00"),
        ("2026-02-08 08:00:00", "yellow", ["close-contact-home"], [], "2026-02-11 08:00:00"),
        ("2026-02-11 07:59:59", "yellow", ["close-contact-home"], [], "2026-02-11 08:00:00"),
        ("2026-02-11 08:00:00", "green", [], [], None),
    ]
    walk(beijing, _close_contact(pcr), rows)


def test_close_contact_stays_yellow_until_the_late_negative_pcr_arrives(beijing: Policy) -> None:
    """When the day-10 test result comes after day 10, yellow lasts until the result is known."""
    pcr = lab_result("r1", t("2026-02-12 10:00"), sampled_at=t("2026-02-11 09:00"))
    rows: list[Row] = [
        ("2026-02-11 08:00:00", "yellow", ["close-contact-home"], [], "2026-02-12 10:00:00"),
        ("2026-02-12 09:59:59", "yellow", ["close-contact-home"], [], "2026-02-12 10:00:00"),
        ("2026-02-12 10:00:00", "green", [], [], None),
    ]
    walk(beijing, _close_contact(pcr), rows)


def test_close_contact_without_a_late_enough_test_stays_yellow(beijing: Policy) -> None:
    """An early or antigen test does not end home monitoring: yellow, no end."""
    early = lab_result("r1", t("2026-02-09 20:00"), sampled_at=t("2026-02-09 09:00"))
    antigen = lab_result("r2", t("2026-02-10 20:00"), "negative", "antigen")
    status = assess(_close_contact(early, antigen), beijing, t("2026-02-20 00:00"))
    assert status.colour is Colour.YELLOW
    assert status.reasons[0].ends_at is None
    assert status.valid_until is None


def test_secondary_contact_is_yellow_for_7_days(beijing: Policy) -> None:
    """A contact of a close contact is at home for 7 days."""
    rows: list[Row] = [
        ("2026-03-01 09:59:59", "green", [], [], "2026-03-01 10:00:00"),
        ("2026-03-01 10:00:00", "yellow", ["secondary-contact"], [], "2026-03-08 10:00:00"),
        ("2026-03-08 09:59:59", "yellow", ["secondary-contact"], [], "2026-03-08 10:00:00"),
        ("2026-03-08 10:00:00", "green", [], [], None),
    ]
    walk(beijing, [exposure("e1", t("2026-03-01 10:00"), "secondary_contact")], rows)


def test_companion_needs_two_negative_pcrs_24_hours_apart(beijing: Policy) -> None:
    """Two negative PCRs sampled 24 h apart end it; 23 h apart or antigen do not count."""
    facts = [
        exposure("e1", t("2026-04-01 10:00"), "companion"),
        lab_result("r1", t("2026-04-01 20:00"), sampled_at=t("2026-04-01 12:00")),
        lab_result("r2", t("2026-04-02 18:00"), sampled_at=t("2026-04-02 11:00")),
        lab_result("r3", t("2026-04-02 19:00"), "negative", "antigen"),
        lab_result("r4", t("2026-04-03 08:00"), sampled_at=t("2026-04-02 12:30")),
    ]
    rows: list[Row] = [
        ("2026-04-01 10:00:00", "yellow", ["companion"], [], "2026-04-03 08:00:00"),
        ("2026-04-03 07:59:59", "yellow", ["companion"], [], "2026-04-03 08:00:00"),
        ("2026-04-03 08:00:00", "green", [], [], None),
    ]
    walk(beijing, facts, rows)


def test_fever_is_yellow_until_a_negative_pcr_sampled_after_it(beijing: Policy) -> None:
    """Fever is yellow until a PCR sampled after it is known negative."""
    facts = [
        lab_result("r0", t("2026-05-01 10:00"), sampled_at=t("2026-05-01 08:00")),
        fever("d1", t("2026-05-01 09:00")),
        lab_result("r1", t("2026-05-02 07:00"), sampled_at=t("2026-05-01 15:00")),
    ]
    rows: list[Row] = [
        ("2026-05-01 08:59:59", "green", [], [], "2026-05-01 09:00:00"),
        ("2026-05-01 09:00:00", "yellow", ["fever"], [], "2026-05-02 07:00:00"),
        ("2026-05-02 06:59:59", "yellow", ["fever"], [], "2026-05-02 07:00:00"),
        ("2026-05-02 07:00:00", "green", [], [], None),
    ]
    walk(beijing, facts, rows)


def test_case_is_red_until_an_official_release_naming_it(beijing: Policy) -> None:
    """A case is red until a later release naming its rule."""
    facts = [
        release("x0", t("2026-06-01 08:00")),
        case("c1", t("2026-06-01 12:00")),
        release("x1", t("2026-06-10 09:00"), "fever"),
        release("x2", t("2026-06-20 09:00"), "case"),
    ]
    rows: list[Row] = [
        ("2026-06-01 11:59:59", "green", [], [], "2026-06-01 12:00:00"),
        ("2026-06-01 12:00:00", "red", ["case"], [], "2026-06-20 09:00:00"),
        ("2026-06-20 08:59:59", "red", ["case"], [], "2026-06-20 09:00:00"),
        ("2026-06-20 09:00:00", "green", [], [], None),
    ]
    walk(beijing, facts, rows)


def test_positive_test_is_red_with_no_end_until_released(beijing: Policy) -> None:
    """A positive result is red with no end; a release naming no rule clears it."""
    positive = lab_result("r1", t("2026-06-01 12:00"), "positive")
    status = assess([positive], beijing, t("2026-07-01 00:00"))
    assert status.colour is Colour.RED
    assert (status.reasons[0].ends_at, status.valid_until) == (None, None)
    rows: list[Row] = [
        ("2026-06-05 09:59:59", "red", ["positive-test"], [], "2026-06-05 10:00:00"),
        ("2026-06-05 10:00:00", "green", [], [], None),
    ]
    walk(beijing, [positive, release("x1", t("2026-06-05 10:00"))], rows)


def test_quarantine_orders_hold_until_their_planned_end(beijing: Policy) -> None:
    """A central order is red and a home order yellow, each until its planned end."""
    facts = [
        quarantine("q1", t("2026-07-01 10:00"), "central", planned_end=t("2026-07-08 10:00")),
        quarantine("q2", t("2026-07-08 10:00"), "home", planned_end=t("2026-07-11 10:00")),
    ]
    rows: list[Row] = [
        ("2026-07-01 10:00:00", "red", ["quarantine-central"], [], "2026-07-08 10:00:00"),
        ("2026-07-08 09:59:59", "red", ["quarantine-central"], [], "2026-07-08 10:00:00"),
        ("2026-07-08 10:00:00", "yellow", ["quarantine-home"], [], "2026-07-11 10:00:00"),
        ("2026-07-11 10:00:00", "green", [], [], None),
    ]
    walk(beijing, facts, rows)


def test_manual_override_gives_its_colour_and_reason_until_it_expires(beijing: Policy) -> None:
    """An approved override is its own colour until expires_at, its reason shown to the citizen."""
    facts = [
        override("o1", t("2026-08-01 10:00"), Colour.RED, t("2026-08-03 10:00"), "fever clinic")
    ]
    rows: list[Row] = [
        ("2026-08-01 10:00:00", "red", ["manual-override"], [], "2026-08-03 10:00:00"),
        ("2026-08-03 09:59:59", "red", ["manual-override"], [], "2026-08-03 10:00:00"),
        ("2026-08-03 10:00:00", "green", [], [], None),
    ]
    walk(beijing, facts, rows)
    (reason,) = assess(facts, beijing, t("2026-08-02 00:00")).reasons
    assert reason.colour is Colour.RED
    assert reason.text == {"zh": "人工赋码：fever clinic", "en": "Manual status: fever clinic"}


def test_identity_recheck_blocks_7_days_after_the_last_check(beijing: Policy) -> None:
    """The re-check notice blocks 7 days after the newest check, until the next one."""
    facts = [
        identity_check("i1", t("2026-09-01 10:00")),
        identity_check("i2", t("2026-09-09 09:00")),
    ]
    rows: list[Row] = [
        ("2026-09-01 10:00:00", "green", [], [], "2026-09-08 10:00:00"),
        ("2026-09-08 09:59:59", "green", [], [], "2026-09-08 10:00:00"),
        ("2026-09-08 10:00:00", "green", [], ["identity-recheck"], "2026-09-09 09:00:00"),
        ("2026-09-09 08:59:59", "green", [], ["identity-recheck"], "2026-09-09 09:00:00"),
        ("2026-09-09 09:00:00", "green", [], [], "2026-09-16 09:00:00"),
        ("2026-09-16 09:00:00", "green", [], ["identity-recheck"], None),
    ]
    walk(beijing, facts, rows)
    notice = assess(facts, beijing, t("2026-09-08 12:00")).notices[0]
    assert notice.blocks_code and notice.fact_ids == ("i1",)
    assert assess([], beijing, t("2026-09-08 12:00"), subject="p1").notices == ()


def test_risk_area_popup_blocks_until_a_negative_pcr_result(beijing: Policy) -> None:
    """A low-risk area colours nobody, but its pop-up blocks the green code until a negative PCR."""
    facts = [
        exposure("e1", t("2026-10-01 10:00"), "risk_area", level="low"),
        lab_result("r1", t("2026-10-02 08:00"), sampled_at=t("2026-10-01 16:00")),
    ]
    rows: list[Row] = [
        ("2026-10-01 09:59:59", "green", [], [], "2026-10-01 10:00:00"),
        ("2026-10-01 10:00:00", "green", [], ["popup-risk-area"], "2026-10-02 08:00:00"),
        ("2026-10-02 07:59:59", "green", [], ["popup-risk-area"], "2026-10-02 08:00:00"),
        ("2026-10-02 08:00:00", "green", [], [], None),
    ]
    walk(beijing, facts, rows)
    assert assess(facts, beijing, t("2026-10-01 12:00")).code_blocked


@pytest.mark.parametrize(
    ("level", "colour", "rule"),
    [("medium", "yellow", "risk-area-medium"), ("high", "red", "risk-area-high")],
)
def test_risk_areas_colour_by_level_for_7_days_beside_the_popup(
    beijing: Policy, level: str, colour: str, rule: str
) -> None:
    """Medium-risk areas are yellow, high red, for 7 days, however soon the pop-up's PCR comes."""
    facts = [
        exposure("e1", t("2026-10-01 10:00"), "risk_area", level=level),
        lab_result("r1", t("2026-10-02 08:00"), sampled_at=t("2026-10-01 16:00")),
    ]
    popup = ["popup-risk-area"]
    rows: list[Row] = [
        ("2026-10-01 09:59:59", "green", [], [], "2026-10-01 10:00:00"),
        ("2026-10-01 10:00:00", colour, [rule], popup, "2026-10-02 08:00:00"),
        ("2026-10-02 08:00:00", colour, [rule], [], "2026-10-08 10:00:00"),
        ("2026-10-08 09:59:59", colour, [rule], [], "2026-10-08 10:00:00"),
        ("2026-10-08 10:00:00", "green", [], [], None),
    ]
    walk(beijing, facts, rows)


def test_reasons_are_most_severe_first(beijing: Policy) -> None:
    """A case and an arrival together: red, the case reason first."""
    facts = [
        arrival("a1", t("2026-11-01 08:00"), "330100"),
        case("c1", t("2026-11-02 08:00")),
    ]
    status = assess(facts, beijing, t("2026-11-03 08:00"))
    assert status.colour is Colour.RED
    assert [r.rule_id for r in status.reasons] == ["case", "arrival-other-province"]
