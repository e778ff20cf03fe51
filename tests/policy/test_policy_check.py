"""`check_policy`, what `healthcode policy check` and every activation run: the rules and the
``tracing:`` section, every problem at once."""

from __future__ import annotations

import pytest

from healthcode.kernel.errors import InvalidInput
from healthcode.policies.versions import check_policy
from healthcode.policy.bundled import BUNDLED_FILES
from policy_helpers import bundled_source, with_bad_tracing


def _fields(source: str) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        check_policy(source=source)
    return [p.field for p in refused.value.problems]


@pytest.mark.parametrize("code", sorted(BUNDLED_FILES))
def test_bundled_policies_pass_the_check(code: str) -> None:
    """Each bundled policy, tracing section included, passes."""
    assert check_policy(source=bundled_source(code)).jurisdiction == code


def test_a_bad_tracing_parameter_is_refused_naming_its_key() -> None:
    """A negative venue overlap is refused as ``tracing.venue.min_overlap_minutes``."""
    assert _fields(with_bad_tracing(bundled_source("330100"))) == [
        "tracing.venue.min_overlap_minutes"
    ]


def test_unknown_tracing_keys_and_presets_are_named() -> None:
    """An unknown key and an unknown companion preset are each named under ``tracing.``."""
    source = bundled_source("310000").replace(
        "companion: {preset: chengdu}", "companion: {preset: wuhan}\n  contact_minutes: 5"
    )
    assert sorted(_fields(source)) == ["tracing.companion.preset", "tracing.contact_minutes"]


def test_tracing_problems_are_listed_beside_the_rules_problems() -> None:
    """A policy with a bad rule and a bad tracing section lists both in one refusal."""
    source = with_bad_tracing(bundled_source("110000")).replace(
        "window: {after: P14D}", "window: {after: 14 days}"
    )
    fields = _fields(source)
    assert "tracing.venue.min_overlap_minutes" in fields
    assert any(f.startswith("rules[arrival-other-province].window.after") for f in fields)


def test_a_tracing_section_that_is_no_mapping_is_named_once() -> None:
    """``tracing: 5`` is one problem, ``tracing: must be a mapping``."""
    source = bundled_source("330100")
    source = source[: source.index("tracing:")] + "tracing: 5\n"
    with pytest.raises(InvalidInput) as refused:
        check_policy(source=source)
    assert [str(p) for p in refused.value.problems] == ["tracing: must be a mapping"]


@pytest.mark.parametrize(
    ("wrong", "field"),
    [
        ("entry: {hospitl: [green, yellow], default: [green]}", "entry.hospitl"),
        ("entry: {hospital: [green, blue], default: [green]}", "entry.hospital"),
        ("entry: {hospital: [], default: [green]}", "entry.hospital"),
        ("entry: green", "entry"),
        ("checkin: {max_distance_m: -5}", "checkin.max_distance_m"),
        ("checkin: {max_distance: 500}", "checkin.max_distance"),
        ("retention: {presence_days: zero}", "retention.presence_days"),
        ("retention: 21", "retention"),
    ],
)
def test_a_wrong_presence_setting_is_refused_naming_its_key(wrong: str, field: str) -> None:
    """A typo in ``entry``, ``checkin`` or ``retention`` is refused, not read as the default."""
    source = bundled_source("330100")
    section = wrong.split(":")[0]
    lines = [line for line in source.splitlines() if not line.startswith(f"{section}:")]
    assert _fields("\n".join([*lines, wrong, ""])) == [field]


def test_a_timezone_other_than_the_jurisdictions_is_refused() -> None:
    """Hangzhou's policy counting days in UTC would disagree with the service's China days."""
    source = bundled_source("330100").replace('timezone: "+08:00"', 'timezone: "+00:00"', 1)
    with pytest.raises(InvalidInput) as refused:
        check_policy(source=source)
    assert [str(p) for p in refused.value.problems] == [
        "timezone: must be the UTC offset of 330100's time zone Asia/Shanghai "
        "(calendar days are counted in it), not +00:00"
    ]
