"""Which facts meet each rule's and notice's condition: planned per policy, run per assessment.

``plan_matching`` sorts the conditions reading each kind of fact, once, by form:

- ``true``: every fact of the kind;
- ``{"===": [{"var": "field"}, "text"]}``: one table per field, whatever the number of such
  conditions (a fact matches when its field is exactly that string);
- ``{"var": "field"}``: the field's CertLogic truthiness;
- ``{"!": [<such an equality>]}`` and ``{"and": [<equalities or their negations>...]}``: each
  equality tested on the field's values, the results combined;
- anything else: its compiled condition (``healthcode.policy.conditions``), called per fact.

``match_steps`` lays the plans out flat, once per policy; ``match`` runs them over a person's
``FactSet``, which gives each field read as the facts grouped by their string value (for the
equalities and their combinations: one lookup per string) or as the column of its values (for
truthiness): derived from the facts alone and kept in the set, whatever the policy. Every call
tests every condition anew against them. Each form gives exactly what the compiled condition
would: this is only the fast way to the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import Any

from healthcode.kernel.facts import Fact, FactKind
from healthcode.policy.certlogic import is_truthy
from healthcode.policy.conditions import Condition, compile_condition, equality_form, simple_var
from healthcode.policy.factset import FactSet

# (field, text, wanted): the fact's field is exactly the string ``text`` (or, not ``wanted``,
# is not)
Literal = tuple[str, str, bool]


@dataclass(frozen=True)
class MatchPlan:
    """The conditions reading one kind of fact, by form; ints are positions (rules, notices)."""

    always: tuple[int, ...] = ()
    equals: tuple[tuple[str, Mapping[str, tuple[int, ...]]], ...] = ()
    truthy: tuple[tuple[str, tuple[int, ...]], ...] = ()
    conjunctions: tuple[tuple[int, tuple[Literal, ...]], ...] = ()
    other: tuple[tuple[int, Condition], ...] = ()


def plan_matching(conditions: Iterable[tuple[int, FactKind, object]]) -> dict[FactKind, MatchPlan]:
    """Plans for ``(position, fact kind, CertLogic condition)`` triples, by fact kind."""
    always: dict[FactKind, list[int]] = {}
    equals: dict[FactKind, dict[str, dict[str, list[int]]]] = {}
    truthy: dict[FactKind, dict[str, list[int]]] = {}
    conjunctions: dict[FactKind, list[tuple[int, tuple[Literal, ...]]]] = {}
    other: dict[FactKind, list[tuple[int, Condition]]] = {}
    for position, kind, expression in conditions:
        equality, key = equality_form(expression), simple_var(expression)
        literals = _conjunction_form(expression)
        if expression is True:
            always.setdefault(kind, []).append(position)
        elif equality is not None:
            field, text = equality
            table = equals.setdefault(kind, {}).setdefault(field, {})
            table.setdefault(text, []).append(position)
        elif key is not None:
            truthy.setdefault(kind, {}).setdefault(key, []).append(position)
        elif literals is not None:
            conjunctions.setdefault(kind, []).append((position, literals))
        else:
            other.setdefault(kind, []).append((position, compile_condition(expression)))
    kinds = {*always, *equals, *truthy, *conjunctions, *other}
    return {
        kind: MatchPlan(
            always=tuple(always.get(kind, ())),
            equals=tuple(
                (field, {text: tuple(found) for text, found in table.items()})
                for field, table in equals.get(kind, {}).items()
            ),
            truthy=tuple((key, tuple(found)) for key, found in truthy.get(kind, {}).items()),
            conjunctions=tuple(conjunctions.get(kind, ())),
            other=tuple(other.get(kind, ())),
        )
        for kind in kinds
    }


def _literal(expression: object) -> Literal | None:
    """A string equality, or the negation (``!``) of one; None for anything else."""
    equality = equality_form(expression)
    if equality is not None:
        return (*equality, True)
    if isinstance(expression, dict) and len(expression) == 1 and "!" in expression:
        operands = expression["!"]
        if isinstance(operands, list) and len(operands) == 1:
            negated = equality_form(operands[0])
            if negated is not None:
                return (*negated, False)
    return None


def _conjunction_form(expression: object) -> tuple[Literal, ...] | None:
    """The literals of a negated equality or of an ``and`` of at least two literals."""
    literal = _literal(expression)
    if literal is not None:
        return (literal,)
    if not (isinstance(expression, dict) and len(expression) == 1 and "and" in expression):
        return None
    operands = expression["and"]
    if not isinstance(operands, list) or len(operands) < 2:
        return None
    literals = [_literal(operand) for operand in operands]
    if any(literal is None for literal in literals):
        return None
    return tuple(literal for literal in literals if literal is not None)


_ALWAYS, _EQUALS, _TRUTHY, _ALL, _OTHER = range(5)

# one step of matching: (form, kind, (kind, field) or a position, what the form needs)
Step = tuple[int, FactKind, Any, Any]


def match_steps(plans: Mapping[FactKind, MatchPlan]) -> tuple[Step, ...]:
    """The plans as one flat sequence of steps for ``match`` (no step for an empty form)."""
    steps: list[Step] = []
    for kind, plan in plans.items():
        if plan.always:
            steps.append((_ALWAYS, kind, None, plan.always))
        steps.extend((_EQUALS, kind, (kind, field), table) for field, table in plan.equals)
        steps.extend((_TRUTHY, kind, (kind, field), found) for field, found in plan.truthy)
        steps.extend(
            (_ALL, kind, position, tuple(((kind, f), t, w) for f, t, w in literals))
            for position, literals in plan.conjunctions
        )
        steps.extend((_OTHER, kind, position, condition) for position, condition in plan.other)
    return tuple(steps)


def match(steps: Sequence[Step], facts: FactSet, count: int) -> list[tuple[Fact, ...]]:  # noqa: C901 - hot path (bench/assess.py)
    """For each of ``count`` positions, the facts (in (at, id) order) meeting its condition."""
    matched: list[tuple[Fact, ...]] = [()] * count
    by_kind = facts.by_kind
    for form, kind, key, what in steps:
        of_kind = by_kind.get(kind)
        if not of_kind:
            continue
        if form == _EQUALS:  # each string the field holds: the conditions naming it
            groups = facts.strings.get(key)
            if groups is None:
                groups = facts.by_string(*key)
            for text, found in groups.items():
                positions = what.get(text)
                if positions is not None:
                    for position in positions:
                        matched[position] = found
        elif form == _ALWAYS:
            for position in what:
                matched[position] = of_kind
        elif form == _TRUTHY:
            column = facts.columns.get(key) or facts.column(*key)
            if key in facts.json_columns:  # JSON values: Python's truth is CertLogic's
                found = tuple(compress(of_kind, column))
            else:
                found = tuple(compress(of_kind, map(is_truthy, column)))
            for position in what:
                matched[position] = found
        elif form == _ALL:
            matched[key] = _all_hold(what, of_kind, facts)
        else:
            matched[key] = tuple([fact for fact in of_kind if what(fact.condition_data)])
    return matched


def _all_hold(
    literals: tuple[tuple[tuple[FactKind, str], str, bool], ...],
    of_kind: tuple[Fact, ...],
    facts: FactSet,
) -> tuple[Fact, ...]:
    """The facts meeting every literal ((kind, field), text, wanted), in order."""
    found: tuple[Fact, ...] | None = None  # None: all of them so far
    for key, text, wanted in literals:
        groups = facts.strings.get(key)
        if groups is None:
            groups = facts.by_string(*key)
        equal = groups.get(text, ())  # the facts whose field is exactly that string
        if not equal:
            if wanted:
                return ()
            continue
        if wanted and found is None:
            found = equal
            continue
        if not wanted and found is None and len(equal) == len(of_kind):
            return ()  # every fact has it
        ids = set(map(id, equal))
        among = of_kind if found is None else found
        found = tuple([fact for fact in among if (id(fact) in ids) is wanted])
    return of_kind if found is None else found
