"""Which facts meet each rule's and notice's condition: planned per policy, run per assessment.

``plan_matching`` sorts the conditions reading each kind of fact, once, by form:

- ``true``: every fact of the kind;
- ``{"===": [{"var": "field"}, "text"]}``: one table lookup per fact and field, whatever the
  number of such conditions (a fact matches when its field is exactly that string);
- ``{"var": "field"}``: the field's CertLogic truthiness, tested inline;
- anything else: its compiled condition (``healthcode.policy.conditions``), called per fact.

``match`` runs the plans over a person's facts grouped by kind. Each form gives exactly what
the compiled condition would: this is only the fast way to the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from healthcode.domain.facts import Fact, FactKind
from healthcode.policy.certlogic import is_truthy
from healthcode.policy.conditions import (
    Condition,
    compile_condition,
    equality_form,
    simple_var,
)


@dataclass(frozen=True)
class MatchPlan:
    """The conditions reading one kind of fact, by form; ints are positions (rules, notices)."""

    always: tuple[int, ...] = ()
    equals: tuple[tuple[str, Mapping[str, tuple[int, ...]]], ...] = ()
    truthy: tuple[tuple[str, tuple[int, ...]], ...] = ()
    other: tuple[tuple[int, Condition], ...] = ()


def plan_matching(conditions: Iterable[tuple[int, FactKind, object]]) -> dict[FactKind, MatchPlan]:
    """Plans for ``(position, fact kind, CertLogic condition)`` triples, by fact kind."""
    always: dict[FactKind, list[int]] = {}
    equals: dict[FactKind, dict[str, dict[str, list[int]]]] = {}
    truthy: dict[FactKind, dict[str, list[int]]] = {}
    other: dict[FactKind, list[tuple[int, Condition]]] = {}
    for position, kind, expression in conditions:
        equality, key = equality_form(expression), simple_var(expression)
        if expression is True:
            always.setdefault(kind, []).append(position)
        elif equality is not None:
            field, text = equality
            table = equals.setdefault(kind, {}).setdefault(field, {})
            table.setdefault(text, []).append(position)
        elif key is not None:
            truthy.setdefault(kind, {}).setdefault(key, []).append(position)
        else:
            other.setdefault(kind, []).append((position, compile_condition(expression)))
    kinds = {*always, *equals, *truthy, *other}
    return {
        kind: MatchPlan(
            always=tuple(always.get(kind, ())),
            equals=tuple(
                (field, {text: tuple(found) for text, found in table.items()})
                for field, table in equals.get(kind, {}).items()
            ),
            truthy=tuple((key, tuple(found)) for key, found in truthy.get(kind, {}).items()),
            other=tuple(other.get(kind, ())),
        )
        for kind in kinds
    }


def match(
    plans: Mapping[FactKind, MatchPlan], by_kind: Mapping[FactKind, Sequence[Fact]], count: int
) -> list[list[Fact]]:
    """For each of ``count`` positions, the facts (in the given order) meeting its condition."""
    matched: list[list[Fact]] = [[] for _ in range(count)]
    for kind, plan in plans.items():
        facts = by_kind.get(kind)
        if not facts:
            continue
        for position in plan.always:
            matched[position] = list(facts)
        for field, table in plan.equals:
            for fact in facts:
                value = fact.condition_data.get(field)
                if type(value) is str:
                    for position in table.get(value, ()):
                        matched[position].append(fact)
        for field, positions in plan.truthy:
            for fact in facts:
                value = fact.condition_data.get(field)
                if value is True or (value is not None and value is not False and is_truthy(value)):
                    for position in positions:
                        matched[position].append(fact)
        for position, condition in plan.other:
            matched[position] = [f for f in facts if condition(f.condition_data)]
    return matched
