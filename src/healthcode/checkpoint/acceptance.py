"""Acceptance as policy: which other jurisdictions' codes pass at which venue kinds, offline.

A policy's ``acceptance:`` section (docs/policies.md) says it:

    acceptance:
      max_trust_list_age: P1D          # a held list older than this is stale (default P1D)
      foreign:                         # rules for other jurisdictions' codes; the first that
        - id: visitors-green           # names the issuer and the venue kind decides
          issuers: ["330100", "310000"]   # GB/T 2260 codes, or [any]
          kinds: [office, bus_route]      # venue kinds; left out: every kind
          colours: [green]                # the colours of those codes that pass there

The checkpoint's own jurisdiction's codes pass in the colours of its venue kind (the policy's
``entry:`` section, as before). A foreign code no rule names is stopped, the message naming
the policy (``acceptance: no rule of 110000 admits 330100 at hospital``); one a rule names
passes or is stopped by the rule's colours, the message naming the rule (``acceptance rule
visitors-green``). A policy without ``foreign`` rules admits every held jurisdiction's codes in
the checkpoint's own colours (how a checkpoint decided before acceptance was policy).

Pure: no I/O, no database; ``healthcode scan`` and ``healthcode verify`` build their
`Acceptance` here from the policy file or the bundled policy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from healthcode.credentials.claims import is_jurisdiction
from healthcode.credentials.verify import Acceptance, IssuerRule
from healthcode.kernel.errors import Problem
from healthcode.kernel.facts import Colour
from healthcode.policy.model import Policy
from healthcode.policy.reading import parse_duration

SECTION: Final = "acceptance"
DEFAULT_MAX_TRUST_LIST_AGE: Final = timedelta(days=1)
ANY: Final = "any"
_RULE_KEYS: Final = frozenset({"id", "issuers", "kinds", "colours"})
_COLOURS: Final = frozenset(c.value for c in Colour)


@dataclass(frozen=True, slots=True)
class ForeignRule:
    """One rule: codes of `issuers` (None: any other jurisdiction) at venues of `kinds` (None:
    every kind) pass in `colours`."""

    id: str
    issuers: frozenset[str] | None
    kinds: frozenset[str] | None
    colours: frozenset[Colour]

    def names(self, issuer: str, kind: str) -> bool:
        """True when this rule speaks of `issuer`'s codes at a venue of `kind`."""
        return (self.issuers is None or issuer in self.issuers) and (
            self.kinds is None or kind in self.kinds
        )


def _section(policy: Policy) -> Mapping[str, object]:
    section = policy.settings.get(SECTION)
    return section if isinstance(section, Mapping) else {}


def max_trust_list_age(policy: Policy) -> timedelta:
    """How old a held trust list may be before the checkpoint calls it stale."""
    written = _section(policy).get("max_trust_list_age")
    try:
        age = parse_duration(written) if isinstance(written, str) else None
    except ValueError:
        age = None
    return age if age else DEFAULT_MAX_TRUST_LIST_AGE


def foreign_rules(policy: Policy) -> tuple[ForeignRule, ...] | None:
    """The policy's rules for foreign codes, in order (None: it has none, so every held
    jurisdiction's codes take the checkpoint's own colours). A rule written wrong is skipped
    here; `acceptance_problems` names it when the policy is checked."""
    rules = _section(policy).get("foreign")
    if not isinstance(rules, list):
        return None
    read = [_rule(raw) for raw in rules]
    return tuple(r for r in read if r is not None)


def _rule(raw: object) -> ForeignRule | None:
    if not isinstance(raw, Mapping) or _rule_problems(raw, "x", None):
        return None
    issuers, kinds = raw.get("issuers", [ANY]), raw.get("kinds", [ANY])
    return ForeignRule(
        id=str(raw["id"]),
        issuers=None if ANY in issuers else frozenset(map(str, issuers)),
        kinds=None if ANY in kinds else frozenset(map(str, kinds)),
        colours=frozenset(Colour(c) for c in raw["colours"]),
    )


def acceptance_for(
    policy: Policy, *, kind: str, own_colours: Iterable[Colour], trusted: Iterable[str]
) -> Acceptance:
    """The acceptance of a checkpoint at a venue of `kind` under `policy`: its own
    jurisdiction's codes in `own_colours`, each other `trusted` jurisdiction's as the policy's
    first rule naming it and the kind says (none: not admitted)."""
    issuers = frozenset(trusted) | {policy.jurisdiction}
    own = frozenset(own_colours)
    rules = foreign_rules(policy)
    if rules is None:
        return Acceptance(issuers, own)
    by_issuer: dict[str, IssuerRule] = {}
    for issuer in sorted(issuers - {policy.jurisdiction}):
        rule = next((r for r in rules if r.names(issuer, kind)), None)
        by_issuer[issuer] = (
            IssuerRule(rule.colours, f"acceptance rule {rule.id}")
            if rule is not None
            else IssuerRule(
                frozenset(),
                f"acceptance: no rule of {policy.jurisdiction} admits {issuer} at {kind}",
            )
        )
    return Acceptance(issuers, own, by_issuer)


def acceptance_problems(policy: Policy, *, kinds: Iterable[str]) -> list[Problem]:
    """What is wrong with the policy's ``acceptance`` section (empty: nothing), each problem
    named by its dotted path; `kinds` are the venue kinds there are."""
    section = policy.settings.get(SECTION)
    if section is None:
        return []
    if not isinstance(section, Mapping):
        return [Problem(SECTION, "must be a mapping with max_trust_list_age and foreign")]
    problems = [
        Problem(f"{SECTION}.{extra}", "is not a setting: only max_trust_list_age, foreign")
        for extra in sorted(set(section) - {"max_trust_list_age", "foreign"})
    ]
    age = section.get("max_trust_list_age")
    if age is not None and not _positive_duration(age):
        problems.append(
            Problem(f"{SECTION}.max_trust_list_age", "must be an ISO 8601 duration, e.g. P1D")
        )
    rules = section.get("foreign")
    if rules is None:
        return problems
    if not isinstance(rules, list):
        return [*problems, Problem(f"{SECTION}.foreign", "must be a list of rules")]
    known = frozenset(kinds)
    seen: set[str] = set()
    for index, raw in enumerate(rules):
        rule_id = raw.get("id") if isinstance(raw, Mapping) else None
        path = f"{SECTION}.foreign[{rule_id if isinstance(rule_id, str) else index}]"
        if not isinstance(raw, Mapping):
            problems.append(Problem(path, "must be a mapping with id, issuers, kinds, colours"))
            continue
        problems += _rule_problems(raw, path, known)
        if isinstance(rule_id, str) and rule_id in seen:
            problems.append(Problem(f"{path}.id", "is used by another rule"))
        seen.add(str(rule_id))
    return problems


def _positive_duration(value: object) -> bool:
    try:
        return isinstance(value, str) and parse_duration(value) > timedelta(0)
    except ValueError:
        return False


def _rule_problems(
    raw: Mapping[object, object], path: str, kinds: frozenset[str] | None
) -> list[Problem]:
    problems = [
        Problem(f"{path}.{extra}", "is not a key: only id, issuers, kinds, colours")
        for extra in sorted(map(str, set(raw) - _RULE_KEYS))
    ]
    if not isinstance(raw.get("id"), str) or not raw.get("id"):
        problems.append(Problem(f"{path}.id", "is required: a name the decisions cite"))
    issuers = raw.get("issuers", [ANY])
    if not _list_of(issuers, lambda i: i == ANY or is_jurisdiction(i)):
        problems.append(
            Problem(f"{path}.issuers", f"must be a non-empty list of GB/T 2260 codes or {ANY}")
        )
    venue_kinds = raw.get("kinds", [ANY])
    if not _list_of(venue_kinds, lambda k: k == ANY or kinds is None or k in kinds):
        problems.append(
            Problem(f"{path}.kinds", f"must be a non-empty list of venue kinds or {ANY}")
        )
    if not _list_of(raw.get("colours"), lambda c: c in _COLOURS, empty=True):
        problems.append(Problem(f"{path}.colours", "must be a list of green, yellow, red"))
    return problems


def _list_of(value: object, valid: Callable[[str], bool], *, empty: bool = False) -> bool:
    if not isinstance(value, list) or (not value and not empty):
        return False
    return all(isinstance(v, str) and valid(v) for v in value)
