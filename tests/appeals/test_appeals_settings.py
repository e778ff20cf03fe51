"""The policy's `appeals.answer_within`: hours to answer, 6 by default, refused when wrong."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from types import MappingProxyType

import pytest

from healthcode.appeals.settings import answer_within, appeals_problems
from healthcode.kernel.errors import InvalidInput
from healthcode.policies.versions import refuse_bad_settings
from healthcode.policy.bundled import bundled_policy
from healthcode.policy.model import Policy


def _with(section: object) -> Policy:
    base = bundled_policy("330100")
    return replace(base, settings=MappingProxyType({**base.settings, "appeals": section}))


def test_answer_within_defaults_to_six_hours() -> None:
    """A policy without an appeals section gives officials six hours."""
    assert answer_within(bundled_policy("330100")) == timedelta(hours=6)
    assert appeals_problems(bundled_policy("330100")) == []


def test_answer_within_is_read_in_hours() -> None:
    """`appeals: {answer_within: 2.5}` gives two and a half hours."""
    assert answer_within(_with({"answer_within": 2.5})) == timedelta(hours=2, minutes=30)


@pytest.mark.parametrize(
    ("section", "field"),
    [
        ({"answer_within": 0}, "appeals.answer_within"),
        ({"answer_within": "6h"}, "appeals.answer_within"),
        ({"answer_within": True}, "appeals.answer_within"),
        ({"answer_within": 10_000}, "appeals.answer_within"),
        ({"answer_withn": 6}, "appeals.answer_withn"),
        ([6], "appeals"),
    ],
)
def test_a_wrong_appeals_section_is_refused_by_name(section: object, field: str) -> None:
    """A wrong value or key is named, and a policy carrying it is refused."""
    policy = _with(section)
    assert [p.field for p in appeals_problems(policy)] == [field]
    with pytest.raises(InvalidInput, match=field.replace(".", r"\.")):
        refuse_bad_settings(policy)
