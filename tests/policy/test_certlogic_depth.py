"""CertLogic expressions nested too deeply are refused up front, naming the limit, by the
validator, the evaluator, the compiler and rule conditions - never a RecursionError."""

from __future__ import annotations

import pytest

from healthcode.policy.certlogic import CertLogicError, evaluate, validate
from healthcode.policy.certlogic.compiled import compile_expression
from healthcode.policy.certlogic.syntax import MAX_DEPTH, deeper_than
from healthcode.policy.conditions import compile_condition


def _negations(count: int) -> object:
    """``{"!": [{"!": [... true ...]}]}``: each negation is two levels (an object, an array)."""
    expression: object = True
    for _ in range(count):
        expression = {"!": [expression]}
    return expression


def _arrays(levels: int) -> object:
    expression: object = 1
    for _ in range(levels):
        expression = [expression]
    return expression


@pytest.mark.parametrize("count", [125, 250, 10_000])
def test_validation_refuses_a_deep_expression_naming_the_limit(count: int) -> None:
    """250 (or 10,000) nested operations are one problem at ``$`` naming the depth limit."""
    problems = validate(_negations(count))
    assert [p.path for p in problems] == ["$"]
    assert f"at most {MAX_DEPTH} levels" in problems[0].message


@pytest.mark.parametrize("count", [250, 10_000])
def test_evaluation_refuses_a_deep_expression_naming_the_limit(count: int) -> None:
    """Evaluating a deep expression, compiled or not, raises CertLogicError naming the limit."""
    expression = _negations(count)
    with pytest.raises(CertLogicError, match=f"at most {MAX_DEPTH} levels"):
        evaluate(expression, {})
    with pytest.raises(CertLogicError, match=f"at most {MAX_DEPTH} levels"):
        compile_expression(expression)({})


@pytest.mark.parametrize("count", [250, 10_000])
def test_a_deep_rule_condition_does_not_hold(count: int) -> None:
    """A condition too deep to evaluate does not hold, as for any evaluation error."""
    assert compile_condition(_negations(count))({}) is False


def test_the_limit_itself_is_allowed() -> None:
    """Exactly ``MAX_DEPTH`` levels validate and evaluate; one more is refused."""
    assert validate(_arrays(MAX_DEPTH)) == []
    assert evaluate(_arrays(MAX_DEPTH), {}) == _arrays(MAX_DEPTH)
    assert compile_expression(_arrays(MAX_DEPTH))({}) == _arrays(MAX_DEPTH)
    assert [p.path for p in validate(_arrays(MAX_DEPTH + 1))] == ["$"]


def test_depth_counts_objects_and_arrays_not_width() -> None:
    """A wide, shallow expression is not deep; scalars are level zero."""
    assert not deeper_than({"and": [True] * 10_000}, 2)
    assert deeper_than({"and": [[True], True]}, 2)
    assert not deeper_than("text", 0)
