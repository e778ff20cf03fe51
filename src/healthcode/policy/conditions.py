"""Rule conditions: CertLogic expressions over a fact's ``data()``, checked and compiled once.

A condition holds when its expression evaluates to a CertLogic-truthy value. An evaluation
error (e.g. an operand of the wrong type for this fact) means the condition does not hold, as
the CertLogic specification advises for rules; the loader's checks make such errors unlikely.

``compile_condition`` gives that predicate. The forms policies use most - ``var``, literals,
``===``, ``in`` with a literal array, integer comparisons, ``!``, ``and``, ``if`` over these -
become small closures that never raise: each returns the truth (True, False, or None for
"neither truthy nor falsy, or an evaluation error") of what ``evaluate`` would return. Anything
else goes through ``compile_expression`` (``evaluate``'s exact semantics) and a try/except.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import cast

from healthcode.policy.certlogic import CertLogicError, is_truthy
from healthcode.policy.certlogic.compiled import compile_expression
from healthcode.policy.certlogic.evaluate import _compare as compare_in_order
from healthcode.policy.certlogic.syntax import (
    ARITIES,
    INTEGER_COMPARISONS,
    deeper_than,
    is_int,
    operation_problems,
    segment,
    var_problem,
)
from healthcode.policy.certlogic.values import boolsiness, strictly_equal

_REDUCE_LAMBDA = ("reduce", 1)  # the lambda of reduce sees {"current", "accumulator"}

Condition = Callable[[Mapping[str, object]], bool]  # of a fact's condition_data
Truth = Callable[[object], bool | None]  # True truthy, False falsy, None neither or an error
Value = Callable[[object], object]  # a value that can never raise


def _always(_: Mapping[str, object]) -> bool:
    return True


def compile_condition(expression: object) -> Condition:
    """A function of a fact's ``condition_data`` saying whether ``expression`` holds for it."""
    if expression is True:
        return _always
    if deeper_than(expression):
        return _never  # evaluating it is an error: the condition does not hold
    fast = _truth(expression)
    if fast is not None:
        truth, total = fast
        if total:  # already a bool
            return cast(Condition, truth)
        return lambda data: truth(data) is True
    compiled = compile_expression(expression)

    def holds(data: Mapping[str, object]) -> bool:
        try:
            return is_truthy(compiled(data))
        except CertLogicError:
            return False

    return holds


def _never(_: Mapping[str, object]) -> bool:
    return False


def _scalar(expression: object) -> bool:
    return isinstance(expression, str | bool) or is_int(expression)


def equality_form(expression: object) -> tuple[str, str] | None:
    """(field, text) for ``{"===": [{"var": "field"}, "text"]}``; None for anything else."""
    if not (isinstance(expression, dict) and len(expression) == 1 and "===" in expression):
        return None
    operands = expression["==="]
    if not isinstance(operands, list) or len(operands) != 2 or type(operands[1]) is not str:
        return None
    key = simple_var(operands[0])
    return None if key is None else (key, operands[1])


def simple_var(expression: object) -> str | None:
    """The key of a ``var`` reading one top-level, non-numeric key; None for anything else."""
    if not (isinstance(expression, dict) and len(expression) == 1 and "var" in expression):
        return None
    path = expression["var"]
    if not isinstance(path, str) or not path or "." in path or (path.isascii() and path.isdigit()):
        return None
    return path


def _value(expression: object) -> Value | None:
    """A never-raising getter for a literal scalar or a valid ``var``; None otherwise."""
    if _scalar(expression):
        return lambda data: expression
    if not (isinstance(expression, dict) and len(expression) == 1 and "var" in expression):
        return None
    if var_problem(expression["var"]) is not None:
        return None
    return compile_expression(expression)  # a valid var never raises


def _truth(expression: object) -> tuple[Truth, bool] | None:
    """(truth function, whether it only ever returns a bool), or None if not a fast form."""
    if _scalar(expression):
        constant = boolsiness(expression)
        return (lambda data: constant), constant is not None
    value = _value(expression)
    if value is not None:
        return (lambda data: boolsiness(value(data))), False
    if not isinstance(expression, dict) or len(expression) != 1:
        return None
    ((op, operands),) = expression.items()
    if not isinstance(operands, list) or op not in ARITIES or operation_problems(op, operands):
        return None
    if op == "===":
        return _equals(operands)
    if op == "in":
        return _in(operands)
    if op in INTEGER_COMPARISONS:
        return _compare(op, operands)
    return _combined(op, operands)


def _combined(op: str, operands: list[object]) -> tuple[Truth, bool] | None:
    """The truth of ``!``, ``and`` or ``if`` over operands that have fast forms themselves."""
    parts = [_truth(operand) for operand in operands]
    if any(part is None for part in parts):
        return None
    truths = [part[0] for part in parts if part is not None]
    total = all(part[1] for part in parts if part is not None)
    if op == "!":
        return _not(truths[0]), total
    if op == "and":
        return _and(truths), total
    if op == "if":
        return _if(*truths), total
    return None


def _equals(operands: list[object]) -> tuple[Truth, bool] | None:
    left, right = _value(operands[0]), _value(operands[1])
    if left is None or right is None:
        return None
    literal, key = operands[1], simple_var(operands[0])
    if type(literal) is str and key is not None:  # {"===": [{"var": "category"}, "companion"]}
        return (
            lambda data: (
                type(found := data.get(key) if isinstance(data, dict) else None) is str
                and found == literal
            )
        ), True
    if type(literal) is str:
        return (lambda data: type(found := left(data)) is str and found == literal), True
    return (lambda data: strictly_equal(left(data), right(data))), True


def _in(operands: list[object]) -> tuple[Truth, bool] | None:
    needle, haystack = _value(operands[0]), operands[1]
    if needle is None or not isinstance(haystack, list) or not all(map(_scalar, haystack)):
        return None
    items = list(haystack)

    def truth(data: object) -> bool:
        found = needle(data)
        return any(strictly_equal(found, item) for item in items)

    return truth, True


def _compare(op: str, operands: list[object]) -> tuple[Truth, bool] | None:
    values = [_value(operand) for operand in operands]
    if any(v is None for v in values):
        return None
    getters = [v for v in values if v is not None]

    def truth(data: object) -> bool | None:
        found = [get(data) for get in getters]
        if not all(is_int(v) for v in found):
            return None  # evaluate raises: operands of a comparison must be integers
        return compare_in_order(op, found)

    return truth, False


def _not(operand: Truth) -> Truth:
    def truth(data: object) -> bool | None:
        decided = operand(data)
        return None if decided is None else not decided

    return truth


def _and(operands: list[Truth]) -> Truth:
    def truth(data: object) -> bool | None:
        decided: bool | None = True
        for operand in operands:
            decided = operand(data)
            if decided is not True:
                return decided  # falsy: that operand is the value; None: an error
        return decided

    return truth


def _if(guard: Truth, then: Truth, otherwise: Truth) -> Truth:
    def truth(data: object) -> bool | None:
        decided = guard(data)
        if decided is None:
            return None
        return then(data) if decided else otherwise(data)

    return truth


def unknown_fields(expression: object, known: frozenset[str], kind: str) -> list[tuple[str, str]]:
    """``(json_path, message)`` for each ``var`` reading a field the fact does not have."""
    found: list[tuple[str, str]] = []
    _walk(expression, "$", known, kind, found)
    return found


def _walk(
    expression: object,
    path: str,
    known: frozenset[str],
    kind: str,
    found: list[tuple[str, str]],
) -> None:
    if isinstance(expression, list):
        for index, item in enumerate(expression):
            _walk(item, f"{path}[{index}]", known, kind, found)
        return
    if not isinstance(expression, dict) or len(expression) != 1:
        return
    ((op, operands),) = expression.items()
    if op == "var":
        head = operands.split(".")[0] if isinstance(operands, str) else ""
        if head and head not in known:
            found.append(
                (
                    path,
                    f'unknown field "{head}" of {kind} facts (known: {", ".join(sorted(known))})',
                )
            )
        return
    if isinstance(operands, list):
        for index, operand in enumerate(operands):
            if (op, index) != _REDUCE_LAMBDA:
                _walk(operand, path + segment(str(op), index), known, kind, found)
