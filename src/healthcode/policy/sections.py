"""A settings section of one key that a policy may carry beside its rules (``appeals:
{answer_within: 6}``, ``oversight: {bulk_threshold: 50}``): its value, or its default when the
section or key is left out, and what is wrong with it when it is written wrong."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from healthcode.kernel.errors import Problem
from healthcode.policy.model import Policy

T = TypeVar("T")


@dataclass(frozen=True)
class OneKeySection(Generic[T]):
    """``section: {key: value}``; ``parse`` gives the value or None if it breaks ``rule``."""

    section: str
    key: str
    parse: Callable[[object], T | None]
    rule: str  # what a right value is, as a refusal says it

    def value(self, policy: Policy, default: T) -> T:
        """The policy's value, or ``default`` when it is left out (or wrong: checked apart)."""
        written = (policy.settings.get(self.section) or {}).get(self.key)
        parsed = self.parse(written)
        return default if parsed is None else parsed

    def problems(self, policy: Policy) -> list[Problem]:
        """What is wrong with the policy's section (empty: nothing)."""
        section = policy.settings.get(self.section)
        if section is None:
            return []
        if not isinstance(section, Mapping):
            return [Problem(self.section, f"must be a mapping with {self.key}")]
        problems = [
            Problem(f"{self.section}.{extra}", f"is not a setting: only {self.key}")
            for extra in sorted(set(section) - {self.key})
        ]
        value = section.get(self.key)
        if value is not None and self.parse(value) is None:
            problems.append(Problem(f"{self.section}.{self.key}", self.rule))
        return problems
