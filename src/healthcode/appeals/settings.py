"""The appeals setting a jurisdiction's policy may carry, with its published default:

    appeals: {answer_within: 6}     # hours an official has to answer an appeal

A section left out takes the default (6 hours); one written wrong is refused by
``appeals_problems`` when the policy is checked, proposed or activated."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from healthcode.appeals.model import DEFAULT_ANSWER_WITHIN
from healthcode.kernel.errors import Problem
from healthcode.policy.model import Policy

SECTION = "appeals"
KEY = "answer_within"
MAX_HOURS = 24 * 14


def _hours(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= MAX_HOURS:
        return float(value)
    return None


def answer_within(policy: Policy) -> timedelta:
    """How long officials have to answer an appeal under ``policy``."""
    hours = _hours((policy.settings.get(SECTION) or {}).get(KEY))
    return DEFAULT_ANSWER_WITHIN if hours is None else timedelta(hours=hours)


def appeals_problems(policy: Policy) -> list[Problem]:
    """What is wrong with the policy's ``appeals`` section (empty: nothing)."""
    section = policy.settings.get(SECTION)
    if section is None:
        return []
    if not isinstance(section, Mapping):
        return [Problem(SECTION, f"must be a mapping with {KEY}")]
    problems = [
        Problem(f"{SECTION}.{extra}", f"is not a setting: only {KEY}")
        for extra in sorted(set(section) - {KEY})
    ]
    value = section.get(KEY)
    if value is not None and _hours(value) is None:
        problems.append(
            Problem(f"{SECTION}.{KEY}", f"must be a positive number of hours, at most {MAX_HOURS}")
        )
    return problems
