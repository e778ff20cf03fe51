"""The bundled policy files: each loads, is found by its jurisdiction, and cites its source."""

from __future__ import annotations

import re

import pytest

from healthcode.kernel.errors import NotFound
from healthcode.policy.bundled import (
    BUNDLED_FILES,
    bundled_policies,
    bundled_policy,
    bundled_policy_path,
    bundled_policy_paths,
)
from healthcode.policy.loader import load_policy_file

ENTRY = re.compile(r"^  - id: (\S+)$")


def test_each_bundled_policy_loads_under_its_jurisdiction() -> None:
    """Hangzhou, Shanghai and Beijing ship, each under its GB/T 2260 code."""
    policies = bundled_policies()
    assert [p.jurisdiction for p in policies] == ["330100", "310000", "110000"]
    for policy in policies:
        assert bundled_policy(policy.jurisdiction) == policy
        assert policy.utc_offset == "+08:00"


def test_paths_point_at_the_files_that_load() -> None:
    """Each bundled file's path is readable and loads to the same policy."""
    paths = bundled_policy_paths()
    assert sorted(paths) == sorted(BUNDLED_FILES)
    for code, path in paths.items():
        assert path == bundled_policy_path(code)
        assert load_policy_file(path) == bundled_policy(code)


def test_unknown_jurisdiction_is_not_found() -> None:
    """Asking for a city with no bundled policy says so."""
    with pytest.raises(NotFound):
        bundled_policy("440100")


@pytest.mark.parametrize("code", sorted(BUNDLED_FILES))
def test_every_rule_and_notice_cites_its_source(code: str) -> None:
    """A comment above each rule and notice cites the REFERENCE.md line or DESIGN.md section."""
    lines = bundled_policy_path(code).read_text(encoding="utf-8").splitlines()
    entries = [number for number, line in enumerate(lines) if ENTRY.match(line)]
    assert len(entries) >= 2
    for number in entries:
        block = []
        above = number - 1
        while above >= 0 and lines[above].strip().startswith("#"):
            block.append(lines[above])
            above -= 1
        comment = " ".join(block)
        assert "REFERENCE" in comment or "DESIGN" in comment, f"{code}: {lines[number]}"


def test_beijing_arrival_rule_is_exactly_14_days_from_outside_province_11() -> None:
    """The Beijing arrival rule reads the province of from_region and lasts P14D, no clearing."""
    rule = bundled_policy("110000").rule("arrival-other-province")
    assert rule.when == {"!": [{"===": [{"var": "from_province"}, "11"]}]}
    assert rule.window.only_after is not None and rule.window.only_after.days == 14
