"""Acceptance as policy: which foreign colours pass at which venue kinds, decided offline.
Pure: the bundled policies and hand-written ones, the verifier, no I/O."""

from __future__ import annotations

from datetime import timedelta

import pytest
from codekit import SCAN, Kit

from healthcode.checkpoint.acceptance import (
    DEFAULT_MAX_TRUST_LIST_AGE,
    acceptance_for,
    acceptance_problems,
    max_trust_list_age,
)
from healthcode.credentials import Colour, Decision, Outcome, Reason, verify
from healthcode.kernel.errors import InvalidInput
from healthcode.policy.bundled import bundled_policy
from healthcode.policy.loader import load_policy
from healthcode.policy.model import Policy

KINDS = ["hospital", "office", "bus_route", "restaurant"]
GREEN = frozenset({Colour.GREEN})
GREEN_YELLOW = frozenset({Colour.GREEN, Colour.YELLOW})
ALL = ["330100", "310000", "110000"]


def _policy(section: str) -> Policy:
    base = bundled_policy("110000")
    text = f"""
jurisdiction: "110000"
version: "test"
name: {{zh: 测试, en: Test}}
timezone: "+08:00"
rules: []
{section}
"""
    policy = load_policy(text)
    assert policy.jurisdiction == base.jurisdiction
    return policy


def _decide(kit: Kit, policy: Policy, kind: str, own: frozenset[Colour], token: str) -> Decision:
    acceptance = acceptance_for(policy, kind=kind, own_colours=own, trusted=ALL)
    return verify(token, trust_lists=kit.store(), at=SCAN, acceptance=acceptance)


def test_beijing_admits_a_hangzhou_green_at_offices_not_at_hospitals(kit: Kit) -> None:
    """The issue's example, under the bundled Beijing policy; the reasons name the rules."""
    beijing = bundled_policy("110000")
    green = kit.hangzhou.token()
    office = _decide(kit, beijing, "office", GREEN, green)
    assert office.outcome is Outcome.PASS
    assert "acceptance rule visitors-green" in office.message
    hospital = _decide(kit, beijing, "hospital", GREEN_YELLOW, green)
    assert hospital.outcome is Outcome.STOP
    assert hospital.reason is Reason.COLOUR_NOT_ACCEPTED
    assert "hospitals-own-codes-only" in hospital.message


def test_own_codes_keep_the_venue_colours(kit: Kit) -> None:
    """Beijing's own green passes everywhere, its yellow at hospitals, as before."""
    beijing = bundled_policy("110000")
    for kind in KINDS:
        own = GREEN_YELLOW if kind == "hospital" else GREEN
        assert _decide(kit, beijing, kind, own, kit.beijing.token()).passed
    yellow = kit.beijing.token(colour=Colour.YELLOW)
    assert _decide(kit, beijing, "hospital", GREEN_YELLOW, yellow).passed
    assert not _decide(kit, beijing, "office", GREEN, yellow).passed


@pytest.mark.parametrize("home", ["330100", "310000"])
def test_hangzhou_and_shanghai_admit_visitors_green_everywhere(kit: Kit, home: str) -> None:
    """The other bundled policies admit a visitor's green at every kind, never its yellow."""
    policy = bundled_policy(home)
    visitor = kit.beijing
    for kind in KINDS:
        assert _decide(kit, policy, kind, GREEN_YELLOW, visitor.token()).passed
        yellow = _decide(kit, policy, kind, GREEN_YELLOW, visitor.token(colour=Colour.YELLOW))
        assert yellow.outcome is Outcome.STOP


def test_no_rule_naming_the_issuer_stops_and_says_so(kit: Kit) -> None:
    """A rule for Shanghai only: a Hangzhou green is stopped, the policy named."""
    policy = _policy(
        "acceptance: {foreign: [{id: shanghai-only, issuers: ['310000'], colours: [green]}]}"
    )
    assert _decide(kit, policy, "office", GREEN, kit.shanghai.token()).passed
    stopped = _decide(kit, policy, "office", GREEN, kit.hangzhou.token())
    assert stopped.outcome is Outcome.STOP
    assert "no rule of 110000 admits 330100 at office" in stopped.message


def test_without_foreign_rules_every_held_list_takes_the_own_colours(kit: Kit) -> None:
    """A policy with no acceptance section decides as checkpoints did before."""
    policy = _policy("")
    assert _decide(kit, policy, "hospital", GREEN_YELLOW, kit.hangzhou.token()).passed
    assert max_trust_list_age(policy) == DEFAULT_MAX_TRUST_LIST_AGE


def test_max_trust_list_age_is_read() -> None:
    """The staleness limit is an ISO 8601 duration."""
    assert max_trust_list_age(_policy("acceptance: {max_trust_list_age: PT12H}")) == timedelta(
        hours=12
    )


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ("acceptance: {foriegn: []}", "acceptance.foriegn"),
        ("acceptance: {max_trust_list_age: soon}", "acceptance.max_trust_list_age"),
        ("acceptance: {foreign: {id: x}}", "acceptance.foreign"),
        ("acceptance: {foreign: [{issuers: [any], colours: []}]}", "acceptance.foreign[0].id"),
        (
            "acceptance: {foreign: [{id: a, issuers: [hz], colours: []}]}",
            "acceptance.foreign[a].issuers",
        ),
        (
            "acceptance: {foreign: [{id: a, kinds: [hospitl], colours: []}]}",
            "acceptance.foreign[a].kinds",
        ),
        ("acceptance: {foreign: [{id: a, colours: [blue]}]}", "acceptance.foreign[a].colours"),
        ("acceptance: {foreign: [{id: a, colours: [], when: 1}]}", "acceptance.foreign[a].when"),
        (
            "acceptance: {foreign: [{id: a, colours: []}, {id: a, colours: []}]}",
            "acceptance.foreign[a].id",
        ),
    ],
)
def test_a_wrong_section_is_named(section: str, field: str) -> None:
    """Each fault of the section is named by its dotted path."""
    policy = _policy(section)
    fields = {p.field for p in acceptance_problems(policy, kinds=KINDS)}
    assert field in fields


def test_a_section_that_is_no_mapping_is_refused_by_the_loader() -> None:
    """The loader names it, as for every settings section."""
    with pytest.raises(InvalidInput) as refused:
        _policy("acceptance: [1]")
    assert "acceptance" in {p.field for p in refused.value.problems}


def test_bundled_sections_are_right() -> None:
    """No bundled policy's acceptance section has a problem."""
    for code in ALL:
        assert acceptance_problems(bundled_policy(code), kinds=[*KINDS, "subway_station"]) == []
