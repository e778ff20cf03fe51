"""Policies as data: a jurisdiction's versioned rules, windows and notices, already validated.

Build them with ``healthcode.policy.loader.load_policy`` (from YAML); the types here assume the
loader's checks passed. Conditions are CertLogic expressions over a fact's ``data()``; a policy
plans how to test them once, when it is built (``healthcode.policy.matching``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from enum import StrEnum
from types import MappingProxyType

from healthcode.kernel.facts import Colour, FactKind
from healthcode.policy.matching import MatchPlan, Step, match_steps, plan_matching

# top-level sections a policy may carry for later features; read by them, here only checked to
# be mappings. Add a name here when a feature starts reading a new section.
SETTINGS_SECTIONS: tuple[str, ...] = (
    "tracing",
    "retention",
    "entry",
    "checkin",
    "appeals",
    "oversight",
    "acceptance",
)


class Combine(StrEnum):
    """How a window's ending conditions combine: it ends at the first one met, or once all are."""

    FIRST = "first"
    ALL = "all"


class RuleKind(StrEnum):
    CONDITION = "condition"  # facts matching ``when`` give the rule's colour
    OVERRIDE = "override"  # manual_override facts give their own colour until ``expires_at``


@dataclass(frozen=True, kw_only=True)
class NegativeTests:
    """``count`` negative tests sampled after the window start (and at least ``sampled_after``
    after it), successive samples at least ``apart`` apart; ``kind`` None accepts any test."""

    count: int
    apart: timedelta = timedelta(0)
    kind: str | None = None
    sampled_after: timedelta = timedelta(0)


@dataclass(frozen=True, kw_only=True)
class NormalDeclarations:
    """``days`` consecutive calendar days (policy time zone) each with a normal declaration."""

    days: int


@dataclass(frozen=True, kw_only=True)
class Window:
    """When a fact's rule holds: from the fact's ``start`` field until its ending conditions.

    Ending conditions: ``after`` a duration from the start, at the fact's ``end`` field, and the
    clearing conditions (negative tests, normal declarations, an official release); they
    ``combine`` as the first met or all met. The window is half-open: [start, end).
    """

    start: str = "at"
    after: timedelta | None = None
    end: str | None = None
    negative_tests: NegativeTests | None = None
    normal_declarations: NormalDeclarations | None = None
    release: bool = False
    combine: Combine = Combine.FIRST
    # computed once: the duration when ``after`` is the only ending condition (the common case);
    # whether the window ends at the first condition met; whether every ending condition, once
    # met, comes strictly after the start (a window that never ends empty), the negative tests'
    # provided each result comes no earlier than its sample
    only_after: timedelta | None = field(init=False, compare=False, repr=False)
    first: bool = field(init=False, compare=False, repr=False)
    ends_after_start: bool = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        alone = self.end is None and self.negative_tests is None and not self.release
        alone = alone and self.normal_declarations is None
        object.__setattr__(self, "only_after", self.after if alone else None)
        object.__setattr__(self, "first", self.combine is Combine.FIRST)
        later = self.end is None and (self.after is None or self.after > timedelta(0))
        tests = self.negative_tests
        later = later and (tests is None or tests.sampled_after >= timedelta(0))
        object.__setattr__(self, "ends_after_start", later)


@dataclass(frozen=True, kw_only=True)
class Rule:
    """Facts of kind ``fact`` matching ``when`` make the code at least ``colour`` in a window.

    An override rule has no colour of its own: each manual_override fact gives its colour.
    """

    id: str
    fact: FactKind
    colour: Colour | None
    window: Window
    text: Mapping[str, str]
    clears_when: Mapping[str, str]
    when: object = True
    kind: RuleKind = RuleKind.CONDITION


@dataclass(frozen=True, kw_only=True)
class StaleTrigger:
    """Holds when the newest ``fact`` is older than ``max_age``; with ``only_if_any``, only once
    at least one such fact exists (otherwise also while there is none)."""

    fact: FactKind
    max_age: timedelta
    only_if_any: bool = False


@dataclass(frozen=True, kw_only=True)
class NoticeRule:
    """A notice, triggered like a rule (``fact``, ``when``, ``window``) or by ``stale``."""

    id: str
    text: Mapping[str, str]
    clears_when: Mapping[str, str]
    blocks_code: bool = True
    fact: FactKind | None = None
    when: object = True
    window: Window | None = None
    stale: StaleTrigger | None = None


@dataclass(frozen=True, kw_only=True)
class Policy:
    """One jurisdiction's policy at one version. ``timezone`` counts calendar days."""

    jurisdiction: str
    version: str
    name: Mapping[str, str]
    utc_offset: str
    timezone: timezone
    rules: tuple[Rule, ...]
    notices: tuple[NoticeRule, ...] = ()
    settings: Mapping[str, Mapping[str, object]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    # built once: the rules reading each kind of fact, and how ``assess`` finds the facts meeting
    # each condition (positions count the rules, then the notices)
    rules_by_kind: Mapping[FactKind, tuple[Rule, ...]] = field(init=False, compare=False)
    plans: Mapping[FactKind, MatchPlan] = field(init=False, compare=False, repr=False)
    match_steps: tuple[Step, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        by_kind: dict[FactKind, list[Rule]] = {}
        for rule in self.rules:
            by_kind.setdefault(rule.fact, []).append(rule)
        object.__setattr__(
            self, "rules_by_kind", MappingProxyType({k: tuple(v) for k, v in by_kind.items()})
        )
        items: list[Rule | NoticeRule] = [*self.rules, *self.notices]
        conditions = [
            (position, item.fact, item.when)
            for position, item in enumerate(items)
            if item.fact is not None and item.window is not None
        ]
        object.__setattr__(self, "plans", plan_matching(conditions))
        object.__setattr__(self, "match_steps", match_steps(self.plans))

    def releasable(self) -> tuple[str, ...]:
        """The rules an official release may clear (``clear: {release: true}``), in policy
        order: what a quarantine release names, so that no rule that can be lifted is left."""
        return tuple(rule.id for rule in self.rules if rule.window.release)

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (KeyError if none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)
