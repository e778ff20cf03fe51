"""The appeals setting a jurisdiction's policy may carry, with its published default:

    appeals: {answer_within: 6}     # hours an official has to answer an appeal

A section left out takes the default (6 hours); one written wrong is refused by
``appeals_problems`` when the policy is checked, proposed or activated."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from healthcode.appeals.model import DEFAULT_ANSWER_WITHIN
from healthcode.kernel.errors import Problem
from healthcode.policy.model import Policy
from healthcode.policy.sections import OneKeySection

SECTION = "appeals"
KEY = "answer_within"
MAX_HOURS = 24 * 14


def _hours(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= MAX_HOURS:
        return float(value)
    return None


SETTING: Final = OneKeySection(
    SECTION, KEY, _hours, f"must be a positive number of hours, at most {MAX_HOURS}"
)


def answer_within(policy: Policy) -> timedelta:
    """How long officials have to answer an appeal under ``policy``."""
    hours = SETTING.value(policy, DEFAULT_ANSWER_WITHIN.total_seconds() / 3600)
    return timedelta(hours=hours)


def appeals_problems(policy: Policy) -> list[Problem]:
    """What is wrong with the policy's ``appeals`` section (empty: nothing)."""
    return SETTING.problems(policy)
