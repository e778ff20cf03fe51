"""The tracing parameters of a jurisdiction's policy (its ``tracing:`` section)."""

from __future__ import annotations

from healthcode.domain.errors import InvalidInput, Problem
from healthcode.domain.tracing_settings import TracingSettings, parse_tracing
from healthcode.policy.model import Policy


def tracing_problems(policy: Policy) -> list[Problem]:
    """What is wrong with the policy's ``tracing`` section (empty: nothing)."""
    return parse_tracing(policy.settings.get("tracing"))[1]


def tracing_settings(policy: Policy) -> TracingSettings:
    """The policy's tracing settings; a bad section is refused naming each key."""
    settings, problems = parse_tracing(policy.settings.get("tracing"))
    if problems:
        raise InvalidInput(problems)
    return settings
