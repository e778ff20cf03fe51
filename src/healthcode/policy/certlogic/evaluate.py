"""The CertLogic 1.3.3 evaluator: `evaluate(expression, data)`.

Each operation's shape is checked before any of its operands is evaluated; operand types are
checked after. Whatever the specification calls invalid raises `CertLogicError`, whose `path`
names the failing sub-expression.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Final

from healthcode.policy.certlogic.dates import dcc_date_of_birth, parse_date_time, plus_time
from healthcode.policy.certlogic.errors import CertLogicError
from healthcode.policy.certlogic.syntax import (
    ARITIES,
    DATE_TIME_COMPARISONS,
    INTEGER_COMPARISONS,
    NOT_AN_OPERATION,
    TOO_DEEP,
    deeper_than,
    is_int,
    operation_problems,
    segment,
    show,
    var_problem,
)
from healthcode.policy.certlogic.values import boolsiness, strictly_equal

_UVCI_PREFIX: Final = "URN:UVCI:"
_UVCI_SEPARATORS: Final = str.maketrans({"#": "/", ":": "/"})

_ORDERINGS: Final[dict[str, Callable[[object, object], bool]]] = {
    "<": lambda a, b: a < b,  # type: ignore[operator]
    ">": lambda a, b: a > b,  # type: ignore[operator]
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
}
_DATE_TIME_ORDERINGS: Final = {"after": ">", "before": "<", "not-after": "<=", "not-before": ">="}


def evaluate(expression: object, data: object) -> object:
    """Evaluate a CertLogic `expression` (JSON value) against the `data` context (JSON value).

    Returns a JSON value, or a timezone-aware UTC `datetime` for a date-time result.
    Raises `CertLogicError` when the expression or its evaluation is invalid, or nested
    deeper than `syntax.MAX_DEPTH` levels.
    """
    if deeper_than(expression):
        raise CertLogicError(TOO_DEEP)
    try:
        return _evaluate(expression, data)
    except RecursionError as error:
        raise CertLogicError("expression nested too deeply") from error


def _evaluate(expression: object, data: object) -> object:
    if isinstance(expression, str | bool) or is_int(expression):
        return expression
    if isinstance(expression, list):
        return [_operand(expression, data, None, index) for index in range(len(expression))]
    if isinstance(expression, dict):
        if len(expression) != 1:
            raise CertLogicError(
                f"expression object must have exactly one key, but it has {len(expression)}"
            )
        ((operator, operands),) = expression.items()
        if operator == "var":
            return _var(operands, data)
        if not isinstance(operands, list):
            raise CertLogicError(NOT_AN_OPERATION)
        if operator not in ARITIES:
            raise CertLogicError(f'unrecognised operator: "{operator}"')
        problems = operation_problems(operator, operands)
        if problems:
            raise CertLogicError("; ".join(problems))
        return _operation(operator, operands, data)
    if isinstance(expression, float):
        raise CertLogicError(f"{expression} is a non-integer number")
    raise CertLogicError(f"invalid CertLogic expression: {show(expression)}")


def _operand(operands: list[object], data: object, operator: str | None, index: int) -> object:
    """Evaluate `operands[index]`, locating any error under `operator`."""
    try:
        return _evaluate(operands[index], data)
    except CertLogicError as error:
        error.within(f"[{index}]" if operator is None else segment(operator, index))
        raise


def _var(path: object, data: object) -> object:
    problem = var_problem(path)
    if problem is not None or not isinstance(path, str):
        raise CertLogicError(problem or "invalid var")
    if path == "":
        return data
    value = data
    for fragment in path.split("."):
        if isinstance(value, dict):
            value = value.get(fragment)
        elif isinstance(value, list) and fragment.isascii() and fragment.isdigit():
            position = int(fragment)
            value = value[position] if position < len(value) else None
        else:
            return None
    return value


def _operation(operator: str, operands: list[object], data: object) -> object:
    if operator in _LAZY_OPERATIONS:
        return _LAZY_OPERATIONS[operator](operands, data)
    values = [_operand(operands, data, operator, i) for i in range(len(operands))]
    if operator in INTEGER_COMPARISONS:
        if not all(is_int(value) for value in values):
            raise _mismatch(operator, "all operands of a comparison must be integers", values)
        return _compare(operator, values)
    if operator in DATE_TIME_COMPARISONS:
        if not all(isinstance(value, datetime) and value.tzinfo for value in values):
            raise _mismatch(
                operator, "all operands of a date-time comparison must be date-times", values
            )
        return _compare(_DATE_TIME_ORDERINGS[operator], values)
    return _STRICT_OPERATIONS[operator](values)


def _decide(operator: str, index: int, value: object) -> bool:
    """The boolsiness of operand `index`'s `value`, refusing one neither truthy nor falsy."""
    decision = boolsiness(value)
    if decision is None:
        raise CertLogicError(
            f'operand of "{operator}" evaluates to something neither truthy nor falsy: '
            f"{_describe(value)}"
        ).within(segment(operator, index))
    return decision


def _mismatch(operator: str, message: str, values: list[object]) -> CertLogicError:
    return CertLogicError(f'{message} ("{operator}" got {", ".join(map(_describe, values))})')


def _describe(value: object) -> str:
    return f"date-time {value.isoformat()}" if isinstance(value, datetime) else show(value)


def _compare(operator: str, values: list[object]) -> bool:
    ordered = _ORDERINGS[operator]
    return all(ordered(values[i], values[i + 1]) for i in range(len(values) - 1))


def _if(operands: list[object], data: object) -> object:
    guard = _decide("if", 0, _operand(operands, data, "if", 0))
    return _operand(operands, data, "if", 1 if guard else 2)


def _and(operands: list[object], data: object) -> object:
    """The first falsy operand, else the last one; later operands aren't evaluated."""
    value: object = True
    for index in range(len(operands)):
        value = _operand(operands, data, "and", index)
        if not _decide("and", index, value):
            return value
    return value


def _not(operands: list[object], data: object) -> object:
    return not _decide("!", 0, _operand(operands, data, "!", 0))


def _plus_time(operands: list[object], data: object) -> object:
    text = _operand(operands, data, "plusTime", 0)
    try:
        if not isinstance(text, str):
            raise CertLogicError(
                f'date argument (#1) of "plusTime" must evaluate to a string, got {_describe(text)}'
            )
        moment = parse_date_time(text)
    except CertLogicError as error:
        error.within(segment("plusTime", 0))
        raise
    return plus_time(moment, _literal_int(operands[1]), str(operands[2]))


def _extract_from_uvci(operands: list[object], data: object) -> object:
    uvci = _operand(operands, data, "extractFromUVCI", 0)
    if not (uvci is None or isinstance(uvci, str)):
        raise CertLogicError(
            f'UVCI argument (#1) of "extractFromUVCI" must evaluate to a string or null, '
            f"got {_describe(uvci)}"
        ).within(segment("extractFromUVCI", 0))
    position = _literal_int(operands[1])
    if uvci is None or position < 0:
        return None
    fragments = uvci.removeprefix(_UVCI_PREFIX).translate(_UVCI_SEPARATORS).split("/")
    return fragments[position] if position < len(fragments) else None


def _reduce(operands: list[object], data: object) -> object:
    """A left fold of the lambda (operand 1) over the array (operand 0) from operand 2; the
    lambda sees `{"accumulator": …, "current": …}` as its data."""
    items = _operand(operands, data, "reduce", 0)
    accumulator = _operand(operands, data, "reduce", 2)
    if items is None:
        return accumulator
    if not isinstance(items, list):
        raise CertLogicError(
            f'operand of "reduce" must evaluate to an array or null, got {_describe(items)}'
        ).within(segment("reduce", 0))
    for item in items:
        context = {"accumulator": accumulator, "current": item}
        accumulator = _operand(operands, context, "reduce", 1)
    return accumulator


def _literal_int(value: object) -> int:
    """An integer literal argument (its shape was checked before evaluation)."""
    if isinstance(value, int | float) and is_int(value):
        return int(value)
    raise CertLogicError(f"expected an integer literal, got {show(value)}")


def _equals(values: list[object]) -> object:
    return strictly_equal(values[0], values[1])


def _in(values: list[object]) -> object:
    needle, haystack = values
    if not isinstance(haystack, list):
        raise _mismatch("in", 'the right-hand side of "in" must be an array', values)
    return any(strictly_equal(needle, item) for item in haystack)


def _plus(values: list[object]) -> object:
    left, right = values
    if not (
        isinstance(left, int | float)
        and isinstance(right, int | float)
        and is_int(left)
        and is_int(right)
    ):
        raise _mismatch("+", 'the operands of "+" must both be integers', values)
    return int(left) + int(right)


def _dcc_date_of_birth(values: list[object]) -> object:
    text = values[0]
    try:
        if not isinstance(text, str):
            raise CertLogicError(
                f'operand of "dccDateOfBirth" must evaluate to a string, got {_describe(text)}'
            )
        return dcc_date_of_birth(text)
    except CertLogicError as error:
        error.within(segment("dccDateOfBirth", 0))
        raise


# operations that decide themselves which operands to evaluate, and when
_LAZY_OPERATIONS: Final[dict[str, Callable[[list[object], object], object]]] = {
    "if": _if,
    "and": _and,
    "!": _not,
    "plusTime": _plus_time,
    "extractFromUVCI": _extract_from_uvci,
    "reduce": _reduce,
}
# operations on the values of all their operands
_STRICT_OPERATIONS: Final[dict[str, Callable[[list[object]], object]]] = {
    "===": _equals,
    "in": _in,
    "+": _plus,
    "dccDateOfBirth": _dcc_date_of_birth,
}
