"""assess() on small hand-written policies: window starts and ends, clearing, combining,
notices, corrections, the JSON form, and refusals."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import yaml
from engine_facts import (
    Row,
    declaration,
    exposure,
    identity_check,
    lab_result,
    presence,
    release,
    t,
    walk,
)

from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import Colour, Exposure
from healthcode.policy.assess import assess
from healthcode.policy.loader import load_policy
from healthcode.policy.model import Policy

TEXT = {"zh": "原因", "en": "reason"}


def _policy(rules: list[dict[str, Any]], notices: list[dict[str, Any]] | None = None) -> Policy:
    document = {
        "jurisdiction": "330100",
        "version": "test",
        "name": TEXT,
        "timezone": "+08:00",
        "rules": [{"text": TEXT, "clears_when": TEXT, "colour": "yellow", **r} for r in rules],
        "notices": [{"text": TEXT, "clears_when": TEXT, **n} for n in notices or []],
    }
    return load_policy(yaml.safe_dump(document, allow_unicode=True))


def _exposure_rule(window: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"id": "r", "fact": "exposure", "window": window, **more}


def _e1() -> Exposure:
    return exposure("e1", t("2026-01-01 10:00"), "companion")


def test_window_can_start_at_another_date_time_field() -> None:
    """start: until opens the window when the presence ends, not when it began."""
    policy = _policy(
        [{"id": "venue", "fact": "presence", "window": {"start": "until", "after": "PT12H"}}]
    )
    facts = [presence("p1", t("2026-01-01 10:00"), until=t("2026-01-01 12:00"))]
    rows: list[Row] = [
        ("2026-01-01 11:00:00", "green", [], [], "2026-01-01 12:00:00"),
        ("2026-01-01 12:00:00", "yellow", ["venue"], [], "2026-01-02 00:00:00"),
        ("2026-01-02 00:00:00", "green", [], [], None),
    ]
    walk(policy, facts, rows)


def test_combine_first_ends_at_the_earliest_condition() -> None:
    """after P7D or one negative test: the test on day 2 ends it."""
    policy = _policy([_exposure_rule({"after": "P7D", "clear": {"negative_tests": {"count": 1}}})])
    facts = [_e1(), lab_result("r1", t("2026-01-03 10:00"))]
    assert assess(facts, policy, t("2026-01-02 10:00")).valid_until == t("2026-01-03 10:00")
    assert assess(facts[:1], policy, t("2026-01-02 10:00")).valid_until == t("2026-01-08 10:00")


def test_combine_all_ends_when_the_last_condition_is_met() -> None:
    """after P7D and one negative test: the later of the two, and no end without the test."""
    window = {"after": "P7D", "clear": {"negative_tests": {"count": 1}}, "combine": "all"}
    policy = _policy([_exposure_rule(window)])
    early_test = [_e1(), lab_result("r1", t("2026-01-03 10:00"))]
    late_test = [_e1(), lab_result("r1", t("2026-01-09 10:00"))]
    assert assess(early_test, policy, t("2026-01-02")).reasons[0].ends_at == t("2026-01-08 10:00")
    assert assess(late_test, policy, t("2026-01-02")).reasons[0].ends_at == t("2026-01-09 10:00")
    assert assess([_e1()], policy, t("2026-01-02")).reasons[0].ends_at is None


def test_negative_tests_count_from_sampled_after() -> None:
    """sampled_after P2D: only samples taken more than 2 days after the start count."""
    window = {"clear": {"negative_tests": {"count": 1, "sampled_after": "P2D"}}}
    policy = _policy([_exposure_rule(window)])
    facts = [
        _e1(),
        lab_result("r1", t("2026-01-02 18:00"), sampled_at=t("2026-01-02 10:00")),
        lab_result("r2", t("2026-01-03 18:00"), sampled_at=t("2026-01-03 10:00:01")),
    ]
    assert assess(facts, policy, t("2026-01-02 20:00")).reasons[0].ends_at == t("2026-01-03 18:00")


def test_negative_tests_end_when_the_chain_is_first_complete() -> None:
    """Results out of sampling order: it ends when known samples first make 3 at 24 h apart."""
    window = {"clear": {"negative_tests": {"count": 3, "apart": "PT24H"}}}
    policy = _policy([_exposure_rule(window)])
    facts = [
        _e1(),
        lab_result("a", t("2026-01-06 09:00"), sampled_at=t("2026-01-04 09:00")),
        lab_result("b", t("2026-01-07 09:00"), sampled_at=t("2026-01-02 09:00")),
        lab_result("c", t("2026-01-08 09:00"), sampled_at=t("2026-01-03 09:00")),
        lab_result("d", t("2026-01-09 09:00"), sampled_at=t("2026-01-05 09:00")),
    ]
    assert assess(facts, policy, t("2026-01-02")).reasons[0].ends_at == t("2026-01-08 09:00")


def test_a_positive_result_never_counts_as_negative() -> None:
    """Only negative results clear a window."""
    policy = _policy([_exposure_rule({"clear": {"negative_tests": {"count": 1}}})])
    facts = [_e1(), lab_result("r1", t("2026-01-02 10:00"), "positive")]
    assert assess(facts, policy, t("2026-01-05")).colour is Colour.YELLOW


def test_release_must_come_after_the_start() -> None:
    """A release at or before the window start does not end it; one after it does."""
    policy = _policy([_exposure_rule({"clear": {"release": True}})])
    facts = [_e1(), release("x0", t("2026-01-01 10:00"), "r")]
    assert assess(facts, policy, t("2026-01-02")).colour is Colour.YELLOW
    facts.append(release("x1", t("2026-01-01 10:00:01"), "r"))
    assert assess(facts, policy, t("2026-01-02")).colour is Colour.GREEN


def test_touching_windows_form_one_stretch() -> None:
    """A window starting as another ends continues it: since stays, ends_at moves on."""
    policy = _policy([_exposure_rule({"after": "P1D"})])
    facts = [_e1(), exposure("e2", t("2026-01-02 10:00"), "companion")]
    status = assess(facts, policy, t("2026-01-02 10:00"))
    (reason,) = status.reasons
    assert reason.fact_ids == ("e2",)
    assert (reason.since, reason.ends_at) == (t("2026-01-01 10:00"), t("2026-01-03 10:00"))


@pytest.mark.parametrize("window", [{"after": "P1D"}, {"after": "P1D", "clear": {"release": True}}])
def test_a_touching_window_still_to_open_prolongs_the_stretch(window: dict[str, Any]) -> None:
    """Before a touching window opens, the stretch runs on to its end; its start is next."""
    policy = _policy([_exposure_rule(window)])
    facts = [_e1(), exposure("e2", t("2026-01-02 10:00"), "companion")]
    status = assess(facts, policy, t("2026-01-02 09:00"))
    (reason,) = status.reasons
    assert reason.fact_ids == ("e1",)
    assert (reason.since, reason.ends_at) == (t("2026-01-01 10:00"), t("2026-01-03 10:00"))
    assert status.valid_until == t("2026-01-02 10:00")


def test_a_future_window_bounds_valid_until() -> None:
    """A fact whose window has not started yet does not apply, but its start is the next change."""
    policy = _policy([_exposure_rule({"after": "P1D"})])
    status = assess([_e1()], policy, t("2026-01-01 09:00"))
    assert (status.colour, status.valid_until) == (Colour.GREEN, t("2026-01-01 10:00"))


def test_stale_notice_without_only_if_any_holds_until_a_first_fact() -> None:
    """Without only_if_any a never-checked person is blocked (since None) until a check."""
    notice = {"id": "n", "stale": {"fact": "identity_check", "max_age": "P7D"}}
    policy = _policy([], [notice])
    (never,) = assess([], policy, t("2026-01-01"), subject="p1").notices
    assert (never.since, never.ends_at, never.fact_ids) == (None, None, ())
    facts = [identity_check("i1", t("2026-01-05 10:00"))]
    rows: list[Row] = [
        ("2026-01-05 09:59:59", "green", [], ["n"], "2026-01-05 10:00:00"),
        ("2026-01-05 10:00:00", "green", [], [], "2026-01-12 10:00:00"),
        ("2026-01-12 10:00:00", "green", [], ["n"], None),
    ]
    walk(policy, facts, rows)


def test_notice_that_does_not_block_is_reported_as_such() -> None:
    """blocks_code: false notices are shown but leave the code usable."""
    notice = {"id": "n", "fact": "exposure", "window": {"after": "P1D"}, "blocks_code": False}
    status = assess([_e1()], _policy([], [notice]), t("2026-01-01 12:00"))
    assert [n.notice_id for n in status.notices] == ["n"]
    assert not status.code_blocked


def test_superseded_and_retracted_facts_do_not_count() -> None:
    """A correction replaces the fact it supersedes; a retraction removes it and itself."""
    policy = _policy([_exposure_rule({"after": "P7D"})])
    original = _e1()
    corrected = Exposure(
        id="e1b",
        subject="p1",
        at=t("2026-01-03 10:00"),
        recorded_at=t("2026-01-03 11:00"),
        supersedes="e1",
        category="companion",
        rule="test",
        source_id="case-1",
    )
    status = assess([original, corrected], policy, t("2026-01-02"))
    assert (status.colour, status.valid_until) == (Colour.GREEN, t("2026-01-03 10:00"))
    retraction = Exposure(
        id="e1x",
        subject="p1",
        at=t("2026-01-02 10:00"),
        recorded_at=t("2026-01-02 10:00"),
        supersedes="e1",
        retracted=True,
        category="companion",
        rule="test",
        source_id="case-1",
    )
    assert assess([original, retraction], policy, t("2026-01-01 12:00")).colour is Colour.GREEN


def test_condition_errors_mean_the_rule_does_not_apply() -> None:
    """A condition that fails to evaluate for a fact does not apply (CertLogic's advice)."""
    policy = _policy([_exposure_rule({"after": "P1D"}, when={">": [{"var": "category"}, 1]})])
    assert assess([_e1()], policy, t("2026-01-01 12:00")).colour is Colour.GREEN


def test_status_to_dict_in_both_languages() -> None:
    """The JSON form carries the chosen language's texts and ISO 8601 UTC times."""
    policy = _policy([_exposure_rule({"after": "P1D"})])
    status = assess([_e1()], policy, t("2026-01-01 12:00"))
    assert status.to_dict("en") == {
        "colour": "yellow",
        "reasons": [
            {
                "rule": "r",
                "colour": "yellow",
                "text": "reason",
                "since": "2026-01-01T02:00:00+00:00",
                "ends_at": "2026-01-02T02:00:00+00:00",
                "clears_when": "reason",
                "progress": None,
                "facts": ["e1"],
            }
        ],
        "notices": [],
        "valid_until": "2026-01-02T02:00:00+00:00",
        "policy_version": "test",
        "assessed_at": "2026-01-01T04:00:00+00:00",
    }
    assert status.to_dict()["reasons"][0]["text"] == "原因"  # type: ignore[index]
    with pytest.raises(ValueError, match="unknown language"):
        status.to_dict("fr")


def test_naive_instants_are_refused() -> None:
    """Assessing at a time without a zone is a caller bug, refused by name."""
    with pytest.raises(InvalidInput, match="at: must be timezone-aware"):
        assess([], _policy([]), datetime(2026, 1, 1))


def test_facts_of_two_people_are_refused() -> None:
    """All facts must be about the person assessed."""
    other = declaration("d2", t("2026-01-01 10:00"))
    object.__setattr__(other, "subject", "p2")
    with pytest.raises(InvalidInput, match="several subjects"):
        assess([declaration("d1", t("2026-01-01 09:00")), other], _policy([]), t("2026-01-02"))


def test_no_facts_is_green_forever() -> None:
    """A person with no facts is green and stays so until a fact arrives."""
    status = assess([], _policy([]), t("2026-01-01") + timedelta(seconds=1), subject="p9")
    assert (status.subject, status.colour, status.valid_until) == ("p9", Colour.GREEN, None)
