"""Loading policies: a good one is read field by field; a bad one is refused with every problem
named by rule id and field."""

from __future__ import annotations

from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import Colour, FactKind
from healthcode.policy.certlogic import validate
from healthcode.policy.loader import load_policy, load_policy_file
from healthcode.policy.model import Combine, RuleKind
from healthcode.policy.reading import parse_duration

TEXT = {"zh": "文字", "en": "text"}


def _rule(**changes: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": "yellow-arrival",
        "fact": "arrival",
        "when": {"===": [{"var": "to_province"}, "11"]},
        "colour": "yellow",
        "window": {"after": "P14D"},
        "text": TEXT,
        "clears_when": TEXT,
    }
    rule.update(changes)
    return rule


def _policy(**changes: Any) -> dict[str, Any]:
    policy: dict[str, Any] = {
        "jurisdiction": "110000",
        "version": "2026.1",
        "name": TEXT,
        "timezone": "+08:00",
        "rules": [_rule()],
    }
    policy.update(changes)
    return policy


def _problems(document: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        load_policy(yaml.safe_dump(document, allow_unicode=True))
    return [str(p) for p in refused.value.problems]


def test_a_good_policy_is_read_field_by_field() -> None:
    """Jurisdiction, version, zone, rules with windows and clearing, notices and settings."""
    document = _policy(
        rules=[
            _rule(),
            _rule(
                id="companion",
                fact="exposure",
                when={"===": [{"var": "category"}, "companion"]},
                colour="red",
                window={
                    "after": "P10D",
                    "clear": {
                        "negative_tests": {"count": 2, "apart": "PT24H", "kind": "pcr"},
                        "normal_declarations": {"days": 7},
                        "release": True,
                    },
                    "combine": "all",
                },
            ),
            {"id": "override", "kind": "override", "text": TEXT, "clears_when": TEXT},
        ],
        notices=[
            {
                "id": "recheck",
                "stale": {"fact": "identity_check", "max_age": "P7D", "only_if_any": True},
                "text": TEXT,
                "clears_when": TEXT,
            }
        ],
        tracing={"venue_overlap_minutes": 15},
        retention={"presence_days": 21},
    )
    policy = load_policy(yaml.safe_dump(document, allow_unicode=True))
    assert (policy.jurisdiction, policy.version) == ("110000", "2026.1")
    assert policy.timezone == timezone(timedelta(hours=8))
    arrival, companion, manual = policy.rules
    assert arrival.fact is FactKind.ARRIVAL and arrival.colour is Colour.YELLOW
    assert arrival.window.after == timedelta(days=14)
    assert companion.window.combine is Combine.ALL
    assert companion.window.negative_tests is not None
    assert companion.window.negative_tests.apart == timedelta(hours=24)
    assert companion.window.normal_declarations is not None
    assert companion.window.release
    assert manual.kind is RuleKind.OVERRIDE and manual.colour is None
    assert manual.window.end == "expires_at"
    (notice,) = policy.notices
    assert notice.stale is not None and notice.stale.max_age == timedelta(days=7)
    assert dict(policy.settings["tracing"]) == {"venue_overlap_minutes": 15}
    assert policy.rules_by_kind[FactKind.EXPOSURE] == (companion,)


def test_load_policy_file_reads_yaml_from_disk(tmp_path: Path) -> None:
    """A policy file is read as UTF-8 YAML."""
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(_policy(), allow_unicode=True), encoding="utf-8")
    assert load_policy_file(path).rules[0].id == "yellow-arrival"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P14D", timedelta(days=14)),
        ("PT12H", timedelta(hours=12)),
        ("P1DT6H30M5S", timedelta(days=1, hours=6, minutes=30, seconds=5)),
        ("P2W", timedelta(weeks=2)),
        ("PT0S", timedelta(0)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    """ISO 8601 durations of fixed length are read exactly."""
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["14D", "P", "PT", "P1DT", "P-1D", "P1.5D", "14 days", "p14d"])
def test_bad_durations(text: str) -> None:
    """Anything else is not an ISO 8601 duration."""
    with pytest.raises(ValueError, match="not an ISO 8601 duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["P1M", "P1Y", "P1Y2M3D"])
def test_calendar_durations_are_refused(text: str) -> None:
    """Months and years have no fixed length, so the loader refuses them and says why."""
    with pytest.raises(ValueError, match="no fixed length"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            _rule(fact="arrivals"),
            "rules[yellow-arrival].fact: unknown fact kind 'arrivals'",
        ),
        (
            _rule(window={"after": "14 days"}),
            "rules[yellow-arrival].window.after: not an ISO 8601 duration",
        ),
        (
            _rule(colour="green"),
            "rules[yellow-arrival].colour: must be yellow or red, not 'green'",
        ),
        (
            _rule(colour="purple"),
            "rules[yellow-arrival].colour: must be yellow or red, not 'purple'",
        ),
        (
            _rule(colour_="red"),
            "rules[yellow-arrival].colour_: unknown key",
        ),
        (
            _rule(when={"==": [{"var": "to_province"}, "11"]}),
            'rules[yellow-arrival].when: unrecognised operator: "=="',
        ),
        (
            _rule(when={"and": [{"var": "to_province"}]}),
            "rules[yellow-arrival].when: " + validate({"and": [{"var": "x"}]})[0].message,
        ),
        (
            _rule(when={"!": [{"===": [{"var": "to_province"}, 1.5]}]}),
            'rules[yellow-arrival].when["!"][0]["==="][1]: 1.5 is a non-integer number',
        ),
        (
            _rule(when={"===": [{"var": "province"}, "11"]}),
            'rules[yellow-arrival].when["==="][0]: unknown field "province" of arrival facts',
        ),
        (
            _rule(window={"after": "P1M"}),
            "rules[yellow-arrival].window.after: years and months have no fixed length",
        ),
        (
            _rule(window={"after": "PT0S"}),
            "rules[yellow-arrival].window.after: must be longer than zero",
        ),
        (
            _rule(window={"start": "from_region", "after": "P1D"}),
            "rules[yellow-arrival].window.start: must name a date-time field of arrival facts",
        ),
        (
            _rule(window={"combine": "first"}),
            "rules[yellow-arrival].window: never ends",
        ),
        (
            _rule(window={"after": "P1D", "clear": {"negative_tests": {"count": 0}}}),
            "rules[yellow-arrival].window.clear.negative_tests.count: must be a whole number",
        ),
        (
            _rule(window={"clear": {"negative_tests": {"count": 1, "kind": "lfd"}}}),
            "rules[yellow-arrival].window.clear.negative_tests.kind: must be one of pcr, antigen",
        ),
        (
            _rule(window={"clear": {"normal_declarations": {"days": True}}}),
            "rules[yellow-arrival].window.clear.normal_declarations.days: must be a whole number",
        ),
        (
            _rule(window={"after": "P1D", "combine": "both"}),
            "rules[yellow-arrival].window.combine: must be first or all",
        ),
        (
            _rule(window={"after": "P1D", "clear": {"tests": 2}}),
            "rules[yellow-arrival].window.clear.tests: unknown key",
        ),
        (
            _rule(text={"zh": "文字"}),
            "rules[yellow-arrival].text.en: required",
        ),
        (
            _rule(id="Yellow Arrival"),
            "rules[Yellow Arrival].id: must be lower-case letters, digits, - or _",
        ),
        (
            {
                "id": "manual",
                "kind": "override",
                "colour": "red",
                "text": TEXT,
                "clears_when": TEXT,
            },
            "rules[manual].colour: not allowed in an override rule",
        ),
        (
            _rule(kind="magic"),
            "rules[yellow-arrival].kind: must be condition or override",
        ),
    ],
)
def test_bad_rules_are_refused_naming_rule_and_field(rule: dict[str, Any], expected: str) -> None:
    """Each broken rule field is reported with the rule id and the field path."""
    problems = _problems(_policy(rules=[rule]))
    assert any(p.startswith(expected) for p in problems), problems


def test_duplicate_rule_ids_are_refused() -> None:
    """Two rules (or a rule and a notice) may not share an id: releases name them."""
    notice = {
        "id": "yellow-arrival",
        "stale": {"fact": "identity_check", "max_age": "P7D"},
        "text": TEXT,
        "clears_when": TEXT,
    }
    problems = _problems(_policy(rules=[_rule(), _rule()], notices=[notice]))
    assert problems.count("rules[yellow-arrival].id: duplicate id (also rules #1)") == 1
    assert "notices[yellow-arrival].id: duplicate id (also rules #1)" in problems


def test_every_problem_is_reported_at_once() -> None:
    """A policy with several faults lists all of them, not only the first."""
    problems = _problems(
        _policy(
            timezone="+8",
            jurisdiction="999999",
            extra=1,
            rules=[_rule(fact="nope"), _rule(id="second", window={"after": "soon"})],
        )
    )
    fields = [p.split(":")[0] for p in problems]
    assert fields == [
        "policy.extra",
        "jurisdiction",
        "timezone",
        "rules[yellow-arrival].fact",
        "rules[second].window.after",
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"timezone": "08:00"}, 'timezone: must be a UTC offset like "+08:00"'),
        ({"version": 2026.1}, "version: must be a non-empty string"),
        ({"jurisdiction": 110000}, "jurisdiction: must be a non-empty string"),
        ({"rules": {"id": "x"}}, "rules: must be a list"),
        ({"tracing": ["venue"]}, "tracing: must be a mapping"),
        ({"name": {"zh": "北京", "en": "Beijing", "fr": "Pékin"}}, "name.fr: unknown key"),
    ],
)
def test_bad_top_level_fields(changes: dict[str, Any], expected: str) -> None:
    """Top-level fields are checked too, each named."""
    problems = _problems(_policy(**changes))
    assert any(p.startswith(expected) for p in problems), problems


def test_missing_top_level_fields_are_named() -> None:
    """Each required top-level field that is missing is reported."""
    problems = _problems({"rules": []})
    for field in ("jurisdiction", "version", "name", "timezone"):
        assert f"policy.{field}: required" in problems


@pytest.mark.parametrize(
    ("notice", "expected"),
    [
        (
            {"id": "n", "text": TEXT, "clears_when": TEXT},
            "notices[n]: needs exactly one trigger",
        ),
        (
            {
                "id": "n",
                "text": TEXT,
                "clears_when": TEXT,
                "stale": {"fact": "identity_check", "max_age": "P7D"},
                "fact": "exposure",
            },
            "notices[n]: needs exactly one trigger",
        ),
        (
            {
                "id": "n",
                "text": TEXT,
                "clears_when": TEXT,
                "stale": {"fact": "identity_check", "max_age": "7 days"},
            },
            "notices[n].stale.max_age: not an ISO 8601 duration",
        ),
        (
            {"id": "n", "text": TEXT, "clears_when": TEXT, "fact": "exposure"},
            "notices[n].window: required with a fact trigger",
        ),
        (
            {
                "id": "n",
                "text": TEXT,
                "clears_when": TEXT,
                "fact": "exposure",
                "when": {"var": "categroy"},
                "window": {"after": "P1D"},
            },
            'notices[n].when: unknown field "categroy" of exposure facts',
        ),
    ],
)
def test_bad_notices_are_refused(notice: dict[str, Any], expected: str) -> None:
    """Notices are checked like rules, by id and field."""
    problems = _problems(_policy(notices=[notice]))
    assert any(p.startswith(expected) for p in problems), problems


def test_yaml_syntax_errors_are_invalid_input() -> None:
    """Text that is not YAML is refused as invalid input, not a crash."""
    with pytest.raises(InvalidInput, match="not valid YAML"):
        load_policy("rules: [unclosed")
