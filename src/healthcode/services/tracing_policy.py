"""The tracing parameters of a jurisdiction's policy (its ``tracing:`` section)."""

from __future__ import annotations

import yaml

from healthcode.domain.errors import InvalidInput, Problem
from healthcode.domain.tracing_settings import TracingSettings, parse_tracing
from healthcode.policy.model import Policy


def tracing_problems(policy: Policy) -> list[Problem]:
    """What is wrong with the policy's ``tracing`` section (empty: nothing)."""
    return parse_tracing(policy.settings.get("tracing"))[1]


def source_tracing_problems(source: str) -> list[Problem]:
    """What is wrong with the ``tracing`` section of a policy text that may not load as a whole,
    so that one check lists these beside the rules' problems. Nothing when the text is not a
    YAML mapping or the section not a mapping: the policy loader names those."""
    try:
        document = yaml.safe_load(source)
    except yaml.YAMLError:
        return []
    section = document.get("tracing") if isinstance(document, dict) else None
    return parse_tracing(section)[1] if isinstance(section, dict) else []


def tracing_settings(policy: Policy) -> TracingSettings:
    """The policy's tracing settings; a bad section is refused naming each key."""
    settings, problems = parse_tracing(policy.settings.get("tracing"))
    if problems:
        raise InvalidInput(problems)
    return settings
