"""CertLogic expressions compiled once into Python closures: `compile_expression(expression)`.

    check = compile_expression({"===": [{"var": "result"}, "positive"]})
    check({"result": "positive"})  # True, as evaluate(expression, data) would say

The compiled function has exactly `evaluate`'s semantics: the same value for every data
context, and the same `CertLogicError` (message and path) in the same cases, raised only when
`evaluate` would raise (an invalid branch that is never taken never fails). What `evaluate`
re-checks on every call - the shape of each operation, `var` paths, literal arguments - is
checked once, here. The expression must not be mutated after compiling.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Final

from healthcode.policy.certlogic.dates import parse_date_time, plus_time
from healthcode.policy.certlogic.errors import CertLogicError
from healthcode.policy.certlogic.evaluate import (
    _DATE_TIME_ORDERINGS,
    _UVCI_PREFIX,
    _UVCI_SEPARATORS,
    _compare,
    _dcc_date_of_birth,
    _describe,
    _in,
    _literal_int,
    _mismatch,
    _plus,
    evaluate,
)
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

Compiled = Callable[[object], object]

_NESTED_TOO_DEEPLY: Final = "expression nested too deeply"


def compile_expression(expression: object) -> Compiled:
    """A function of the data context with exactly `evaluate(expression, data)`'s semantics."""
    if deeper_than(expression):
        return _fail(TOO_DEEP)
    try:
        root = _compile(expression)
    except RecursionError:  # too deep to compile: let the evaluator say so when called
        return lambda data: evaluate(expression, data)

    def run(data: object) -> object:
        try:
            return root(data)
        except RecursionError as error:
            raise CertLogicError(_NESTED_TOO_DEEPLY) from error

    return run


def _fail(message: str) -> Compiled:
    def run(data: object) -> object:
        raise CertLogicError(message)

    return run


def _constant(value: object) -> Compiled:
    return lambda data: value


def _compile(expression: object) -> Compiled:
    if isinstance(expression, str | bool) or is_int(expression):
        return _constant(expression)
    if isinstance(expression, list):
        return _array([_compile(item) for item in expression])
    if isinstance(expression, dict):
        if len(expression) != 1:
            return _fail(
                f"expression object must have exactly one key, but it has {len(expression)}"
            )
        ((operator, operands),) = expression.items()
        if operator == "var":
            return _var(operands)
        if not isinstance(operands, list):
            return _fail(NOT_AN_OPERATION)
        if operator not in ARITIES:
            return _fail(f'unrecognised operator: "{operator}"')
        problems = operation_problems(operator, operands)
        if problems:
            return _fail("; ".join(problems))
        return _operation(operator, operands)
    if isinstance(expression, float):
        return _fail(f"{expression} is a non-integer number")
    return _fail(f"invalid CertLogic expression: {show(expression)}")


def _within(function: Compiled, where: str) -> Compiled:
    """`function`, with any error located under the segment `where` of its parent."""

    def run(data: object) -> object:
        try:
            return function(data)
        except CertLogicError as error:
            error.within(where)
            raise

    return run


def _array(items: list[Compiled]) -> Compiled:
    located = [_within(item, f"[{index}]") for index, item in enumerate(items)]
    return lambda data: [item(data) for item in located]


def _var(path: object) -> Compiled:
    problem = var_problem(path)
    if problem is not None or not isinstance(path, str):
        return _fail(problem or "invalid var")
    if path == "":
        return lambda data: data
    fragments = path.split(".")
    if len(fragments) == 1 and not (path.isascii() and path.isdigit()):
        key = path
        return lambda data: data.get(key) if isinstance(data, dict) else None

    def run(data: object) -> object:
        value = data
        for fragment in fragments:
            if isinstance(value, dict):
                value = value.get(fragment)
            elif isinstance(value, list) and fragment.isascii() and fragment.isdigit():
                position = int(fragment)
                value = value[position] if position < len(value) else None
            else:
                return None
        return value

    return run


def _operands(operator: str, operands: list[object]) -> list[Compiled]:
    """The compiled sub-expressions of an operation, each locating its errors."""
    return [
        _within(_compile(operand), segment(operator, index))
        for index, operand in enumerate(operands)
    ]


def _decide(operator: str, index: int, value: object) -> bool:
    decision = boolsiness(value)
    if decision is None:
        raise CertLogicError(
            f'operand of "{operator}" evaluates to something neither truthy nor falsy: '
            f"{_describe(value)}"
        ).within(segment(operator, index))
    return decision


def _operation(operator: str, operands: list[object]) -> Compiled:
    special = _SPECIAL.get(operator)
    if special is not None:
        return special(operands)
    parts = _operands(operator, operands)
    if operator == "===":
        return _equals(operands, parts)
    if operator in INTEGER_COMPARISONS:
        return _integer_comparison(operator, parts)
    if operator in DATE_TIME_COMPARISONS:
        return _date_time_comparison(operator, parts)
    strict = _STRICT[operator]
    return lambda data: strict([part(data) for part in parts])


def _equals(operands: list[object], parts: list[Compiled]) -> Compiled:
    left, right = parts
    literal = operands[1]
    if type(literal) is str:  # the common `{"===": [{"var": …}, "text"]}`: no call for the text
        return lambda data: (type(value := left(data)) is str) and value == literal
    return lambda data: strictly_equal(left(data), right(data))


def _integer_comparison(operator: str, parts: list[Compiled]) -> Compiled:
    def run(data: object) -> object:
        values = [part(data) for part in parts]
        if not all(is_int(value) for value in values):
            raise _mismatch(operator, "all operands of a comparison must be integers", values)
        return _compare(operator, values)

    return run


def _date_time_comparison(operator: str, parts: list[Compiled]) -> Compiled:
    ordering = _DATE_TIME_ORDERINGS[operator]

    def run(data: object) -> object:
        values = [part(data) for part in parts]
        if not all(isinstance(value, datetime) for value in values):
            raise _mismatch(
                operator, "all operands of a date-time comparison must be date-times", values
            )
        return _compare(ordering, values)

    return run


def _if(operands: list[object]) -> Compiled:
    guard, then, otherwise = _operands("if", operands)

    def run(data: object) -> object:
        return then(data) if _decide("if", 0, guard(data)) else otherwise(data)

    return run


def _and(operands: list[object]) -> Compiled:
    parts = list(enumerate(_operands("and", operands)))

    def run(data: object) -> object:
        value: object = True
        for index, part in parts:
            value = part(data)
            if not _decide("and", index, value):
                return value
        return value

    return run


def _not(operands: list[object]) -> Compiled:
    (operand,) = _operands("!", operands)
    return lambda data: not _decide("!", 0, operand(data))


def _plus_time(operands: list[object]) -> Compiled:
    moment = _operands("plusTime", operands[:1])[0]
    amount, unit = _literal_int(operands[1]), str(operands[2])
    where = segment("plusTime", 0)

    def run(data: object) -> object:
        text = moment(data)
        try:
            if not isinstance(text, str):
                raise CertLogicError(
                    f'date argument (#1) of "plusTime" must evaluate to a string, '
                    f"got {_describe(text)}"
                )
            return plus_time(parse_date_time(text), amount, unit)
        except CertLogicError as error:
            error.within(where)
            raise

    return run


def _extract_from_uvci(operands: list[object]) -> Compiled:
    operand = _operands("extractFromUVCI", operands[:1])[0]
    position = _literal_int(operands[1])
    where = segment("extractFromUVCI", 0)

    def run(data: object) -> object:
        uvci = operand(data)
        if not (uvci is None or isinstance(uvci, str)):
            raise CertLogicError(
                f'UVCI argument (#1) of "extractFromUVCI" must evaluate to a string or null, '
                f"got {_describe(uvci)}"
            ).within(where)
        if uvci is None or position < 0:
            return None
        fragments = uvci.removeprefix(_UVCI_PREFIX).translate(_UVCI_SEPARATORS).split("/")
        return fragments[position] if position < len(fragments) else None

    return run


def _reduce(operands: list[object]) -> Compiled:
    items_of, step, initial = _operands("reduce", operands)
    where = segment("reduce", 0)

    def run(data: object) -> object:
        items = items_of(data)
        accumulator = initial(data)
        if items is None:
            return accumulator
        if not isinstance(items, list):
            raise CertLogicError(
                f'operand of "reduce" must evaluate to an array or null, got {_describe(items)}'
            ).within(where)
        for item in items:
            accumulator = step({"accumulator": accumulator, "current": item})
        return accumulator

    return run


# operations that decide themselves which operands to evaluate, and when
_SPECIAL: Final[dict[str, Callable[[list[object]], Compiled]]] = {
    "if": _if,
    "and": _and,
    "!": _not,
    "plusTime": _plus_time,
    "extractFromUVCI": _extract_from_uvci,
    "reduce": _reduce,
}
# operations on the values of all their operands (besides ===, and the comparisons)
_STRICT: Final[dict[str, Callable[[list[object]], object]]] = {
    "in": _in,
    "+": _plus,
    "dccDateOfBirth": _dcc_date_of_birth,
}
