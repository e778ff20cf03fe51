"""Hangzhou's 2020 bundled policy, walked rule by rule at every boundary, to the second.

Its yellow and red end after 7 and 14 consecutive calendar days (China time) of normal daily
declarations, counted from the day after the start. Times are China Standard Time.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from engine_facts import (
    Row,
    case,
    declaration,
    exposure,
    fever,
    identity_check,
    release,
    t,
    walk,
)

from healthcode.kernel.facts import Colour, Fact, Symptom
from healthcode.kernel.status import Progress
from healthcode.policy.assess import assess
from healthcode.policy.bundled import bundled_policy
from healthcode.policy.model import Policy


@pytest.fixture(scope="module")
def hangzhou() -> Policy:
    return bundled_policy("330100")


def _daily(first: str, days: int, skip: tuple[int, ...] = (), hour: str = "08:00") -> list[Fact]:
    """Normal declarations at ``hour`` on ``days`` days from ``first`` (a date), minus ``skip``."""
    start = t(f"{first} {hour}")
    return [
        declaration(f"n{i:02d}", start + timedelta(days=i)) for i in range(days) if i not in skip
    ]


def test_fever_is_yellow_until_7_consecutive_normal_days(hangzhou: Policy) -> None:
    """Fever on 1 Jan: days 2..8 Jan normal; green at the 8 Jan declaration, to the second."""
    facts = [fever("d0", t("2026-01-01 09:00")), *_daily("2026-01-02", 7)]
    rows: list[Row] = [
        ("2026-01-01 08:59:59", "green", [], [], "2026-01-01 09:00:00"),
        ("2026-01-01 09:00:00", "yellow", ["fever"], [], "2026-01-08 08:00:00"),
        ("2026-01-08 07:59:59", "yellow", ["fever"], [], "2026-01-08 08:00:00"),
        ("2026-01-08 08:00:00", "green", [], [], None),
    ]
    walk(hangzhou, facts, rows)


def test_a_missed_day_restarts_the_streak(hangzhou: Policy) -> None:
    """Without a declaration on 5 Jan the streak starts again on 6 Jan and ends on 12 Jan."""
    facts = [fever("d0", t("2026-01-01 09:00")), *_daily("2026-01-02", 11, skip=(3,))]
    rows: list[Row] = [
        ("2026-01-08 08:00:00", "yellow", ["fever"], [], "2026-01-12 08:00:00"),
        ("2026-01-12 07:59:59", "yellow", ["fever"], [], "2026-01-12 08:00:00"),
        ("2026-01-12 08:00:00", "green", [], [], None),
    ]
    walk(hangzhou, facts, rows)


def test_an_abnormal_declaration_breaks_the_streak_and_its_day(hangzhou: Policy) -> None:
    """A cough after a normal declaration voids that day and restarts the streak."""
    cough = declaration("c1", t("2026-01-04 14:00"), symptoms=(Symptom.COUGH,))
    facts = [fever("d0", t("2026-01-01 09:00")), *_daily("2026-01-02", 10), cough]
    rows: list[Row] = [
        ("2026-01-10 12:00:00", "yellow", ["fever"], [], "2026-01-11 08:00:00"),
        ("2026-01-11 08:00:00", "green", [], [], None),
    ]
    walk(hangzhou, facts, rows)
    assert assess(facts, hangzhou, t("2026-01-05 00:00")).reasons[0].fact_ids == ("d0",)


def test_a_second_fever_joins_the_same_reason(hangzhou: Policy) -> None:
    """A second fever joins the same reason, which ends after the later streak."""
    facts = [
        fever("d0", t("2026-01-01 09:00")),
        *_daily("2026-01-02", 10),
        fever("d9", t("2026-01-04 14:00")),
    ]
    status = assess(facts, hangzhou, t("2026-01-06 00:00"))
    (reason,) = status.reasons
    assert reason.fact_ids == ("d0", "d9")
    assert (reason.since, reason.ends_at) == (t("2026-01-01 09:00"), t("2026-01-11 08:00"))


def test_days_are_counted_in_china_time(hangzhou: Policy) -> None:
    """Calendar days are China days: 23:59 and 00:00:30 are two days, one UTC day."""
    late = [declaration(f"l{i}", t("2026-01-02 23:59") + timedelta(days=i)) for i in range(6)]
    facts = [fever("d0", t("2026-01-01 09:00")), *late]
    assert assess(facts, hangzhou, t("2026-01-09 00:00")).colour is Colour.YELLOW
    facts.append(declaration("x", t("2026-01-08 00:00:30")))
    rows: list[Row] = [
        ("2026-01-08 00:00:29", "yellow", ["fever"], [], "2026-01-08 00:00:30"),
        ("2026-01-08 00:00:30", "green", [], [], None),
    ]
    walk(hangzhou, facts, rows)


def test_declarations_on_the_start_day_do_not_count(hangzhou: Policy) -> None:
    """Counting starts the day after the fever: a normal declaration later on 1 Jan is not day 1."""
    facts = [
        fever("d0", t("2026-01-01 09:00")),
        declaration("same-day", t("2026-01-01 21:00")),
        *_daily("2026-01-02", 6),
    ]
    status = assess(facts, hangzhou, t("2026-01-08 12:00"))
    assert status.colour is Colour.YELLOW
    # 6 of 7 days: today's declaration can end it; the count lapses at midnight without one
    assert (status.reasons[0].ends_at, status.valid_until) == (None, t("2026-01-09 00:00"))
    assert status.reasons[0].progress == Progress(days=6, of=7, earliest_end=t("2026-01-08 00:00"))


def test_close_contact_is_red_until_14_normal_days(hangzhou: Policy) -> None:
    """Red for a close contact ends at the 14th consecutive normal daily declaration."""
    facts = [exposure("e1", t("2026-02-01 10:00"), "close_contact"), *_daily("2026-02-02", 14)]
    rows: list[Row] = [
        ("2026-02-01 09:59:59", "green", [], [], "2026-02-01 10:00:00"),
        ("2026-02-01 10:00:00", "red", ["close-contact"], [], "2026-02-15 08:00:00"),
        ("2026-02-15 07:59:59", "red", ["close-contact"], [], "2026-02-15 08:00:00"),
        ("2026-02-15 08:00:00", "green", [], [], None),
    ]
    walk(hangzhou, facts, rows)


@pytest.mark.parametrize("category", ["secondary_contact", "companion"])
def test_secondary_contacts_and_companions_are_yellow_until_7_normal_days(
    hangzhou: Policy, category: str
) -> None:
    """Secondary contacts and companions follow Hangzhou's yellow: 7 normal days."""
    facts = [exposure("e1", t("2026-03-01 10:00"), category), *_daily("2026-03-02", 7)]
    rule = category.replace("_", "-")
    rows: list[Row] = [
        ("2026-03-01 10:00:00", "yellow", [rule], [], "2026-03-08 08:00:00"),
        ("2026-03-08 07:59:59", "yellow", [rule], [], "2026-03-08 08:00:00"),
        ("2026-03-08 08:00:00", "green", [], [], None),
    ]
    walk(hangzhou, facts, rows)


def test_a_medium_risk_area_is_yellow_until_7_normal_days(hangzhou: Policy) -> None:
    """Medium risk: yellow from leaving the area until the 7th consecutive normal declaration."""
    facts = [
        exposure("e1", t("2026-06-01 10:00"), "risk_area", level="medium"),
        *_daily("2026-06-02", 7),
    ]
    rows: list[Row] = [
        ("2026-06-01 09:59:59", "green", [], [], "2026-06-01 10:00:00"),
        ("2026-06-01 10:00:00", "yellow", ["risk-area-medium"], [], "2026-06-08 08:00:00"),
        ("2026-06-08 07:59:59", "yellow", ["risk-area-medium"], [], "2026-06-08 08:00:00"),
        ("2026-06-08 08:00:00", "green", [], [], None),
    ]
    walk(hangzhou, facts, rows)


def test_a_high_risk_area_is_red_until_14_normal_days(hangzhou: Policy) -> None:
    """A high-risk area is red until 14 consecutive normal declarations, however long that takes."""
    exposed = exposure("e1", t("2026-06-01 10:00"), "risk_area", level="high")
    rows: list[Row] = [
        ("2026-06-01 09:59:59", "green", [], [], "2026-06-01 10:00:00"),
        ("2026-06-01 10:00:00", "red", ["risk-area-high"], [], "2026-06-15 08:00:00"),
        ("2026-06-15 07:59:59", "red", ["risk-area-high"], [], "2026-06-15 08:00:00"),
        ("2026-06-15 08:00:00", "green", [], [], None),
    ]
    walk(hangzhou, [exposed, *_daily("2026-06-02", 14)], rows)
    alone = assess([exposed], hangzhou, t("2026-07-01 10:00"))
    assert alone.colour is Colour.RED and alone.reasons[0].ends_at is None
    # no day counted yet: 14 days from today at the earliest, one day later from midnight on
    assert alone.reasons[0].progress == Progress(days=0, of=14, earliest_end=t("2026-07-14 00:00"))
    assert alone.valid_until == t("2026-07-02 00:00")


def test_a_low_risk_area_colours_nobody(hangzhou: Policy) -> None:
    """Presence in a low-risk area leaves the code green, with nothing to wait for."""
    facts = [exposure("e1", t("2026-06-01 10:00"), "risk_area", level="low")]
    rows: list[Row] = [("2026-06-01 10:00:00", "green", [], [], None)]
    walk(hangzhou, facts, rows)


def test_case_is_red_until_released(hangzhou: Policy) -> None:
    """A case is red until an official release, whatever the declarations say."""
    facts = [
        case("c1", t("2026-04-01 10:00")),
        *_daily("2026-04-02", 20),
        release("x1", t("2026-04-25 10:00"), "case"),
    ]
    rows: list[Row] = [
        ("2026-04-01 10:00:00", "red", ["case"], [], "2026-04-25 10:00:00"),
        ("2026-04-25 09:59:59", "red", ["case"], [], "2026-04-25 10:00:00"),
        ("2026-04-25 10:00:00", "green", [], [], None),
    ]
    walk(hangzhou, facts, rows)


def test_release_clears_a_declaration_streak_rule_early(hangzhou: Policy) -> None:
    """An official release ends a close contact's red before 14 normal days."""
    facts = [
        exposure("e1", t("2026-05-01 10:00"), "close_contact"),
        release("x1", t("2026-05-04 16:00"), "close-contact"),
    ]
    rows: list[Row] = [
        ("2026-05-04 15:59:59", "red", ["close-contact"], [], "2026-05-04 16:00:00"),
        ("2026-05-04 16:00:00", "green", [], [], None),
    ]
    walk(hangzhou, facts, rows)


def test_identity_recheck_notice(hangzhou: Policy) -> None:
    """Seven days after the last identity check the code is blocked until a new check."""
    facts = [identity_check("i1", t("2026-06-01 10:00"))]
    rows: list[Row] = [
        ("2026-06-08 09:59:59", "green", [], [], "2026-06-08 10:00:00"),
        ("2026-06-08 10:00:00", "green", [], ["identity-recheck"], None),
    ]
    walk(hangzhou, facts, rows)
