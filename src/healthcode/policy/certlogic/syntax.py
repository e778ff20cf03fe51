"""The shape of CertLogic 1.3.3 expressions: operators, arities and literal arguments.

Shared by the validator (which reports every problem) and the evaluator (which refuses an
operation before evaluating any of its operands).
"""

from __future__ import annotations

import json
import re
from typing import Final

TIME_UNITS: Final = ("year", "month", "day", "hour")

INTEGER_COMPARISONS: Final = frozenset({"<", ">", "<=", ">="})
DATE_TIME_COMPARISONS: Final = frozenset({"after", "before", "not-after", "not-before"})

# operator -> (minimum, maximum) number of operands; None: no maximum
ARITIES: Final[dict[str, tuple[int, int | None]]] = {
    "if": (3, 3),
    "===": (2, 2),
    "and": (2, None),
    **{op: (2, 3) for op in sorted(INTEGER_COMPARISONS | DATE_TIME_COMPARISONS)},
    "in": (2, 2),
    "+": (2, 2),
    "!": (1, 1),
    "plusTime": (3, 3),
    "reduce": (3, 3),
    "extractFromUVCI": (2, 2),
    "dccDateOfBirth": (1, 1),
}

# operators whose operands are all sub-expressions; for the others only operand 0 is one
_LITERAL_ARGUMENTS: Final = frozenset({"plusTime", "extractFromUVCI"})

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

NOT_AN_OPERATION: Final = 'operation not of the form { "<operator>": [ <values...> ] }'

MAX_DEPTH: Final = 64
"""How many levels of arrays and objects may nest in one expression. The validator, compiler
and evaluator descend once per level on Python's bounded stack: a deeper expression is refused
up front, naming this limit, rather than failing half-way with a RecursionError."""

TOO_DEEP: Final = f"expression nested too deeply: at most {MAX_DEPTH} levels of arrays and objects"
NOT_A_VAR: Final = 'not of the form { "var": "<path>" }'


def is_int(value: object) -> bool:
    """Whether `value` is a JSON integer (a bool is not; an integral float like 42.0 is)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def deeper_than(expression: object, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects nest more than `limit` levels deep in `expression`. Walked
    with a stack of its own, not recursion, so any depth is measured safely; it stops at the
    first level past the limit."""
    pending: list[tuple[object, int]] = [(expression, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children: list[object] = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def show(value: object) -> str:
    """`value` as JSON text where possible, for messages."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def segment(key: str, index: int | None = None) -> str:
    """The JSON-path segment for operand `index` of operator `key`: `.if[1]`, `["==="][0]`."""
    step = f".{key}" if _IDENTIFIER.fullmatch(key) else f"[{json.dumps(key)}]"
    return step if index is None else f"{step}[{index}]"


def var_problem(path: object) -> str | None:
    """What is wrong with the argument of a `var` operation, or None."""
    if not isinstance(path, str):
        return NOT_A_VAR
    if path != "" and "" in path.split("."):
        return f"data access path doesn't have a valid format: {path}"
    return None


def operand_indices(operator: str, operands: list[object]) -> range:
    """The positions of `operands` that are sub-expressions (and exist)."""
    if operator in _LITERAL_ARGUMENTS:
        return range(min(len(operands), 1))
    maximum = ARITIES[operator][1]
    return range(len(operands) if maximum is None else min(len(operands), maximum))


def operation_problems(operator: str, operands: list[object]) -> list[str]:
    """What is wrong with the shape of a known operation (not looking into sub-expressions)."""
    problems: list[str] = []
    minimum, maximum = ARITIES[operator]
    count = len(operands)
    if maximum is None and count < minimum:
        problems.append(
            f'the "{operator}" operation must have at least {minimum} operands, but it has {count}'
        )
    elif maximum is not None and not minimum <= count <= maximum:
        wanted = f"exactly {minimum}" if minimum == maximum else f"{minimum} or {maximum}"
        plural = "operand" if wanted == "exactly 1" else "operands"
        problems.append(
            f'the "{operator}" operation must have {wanted} {plural}, but it has {count}'
        )
    if operator == "plusTime":
        if count > 1 and not is_int(operands[1]):
            problems.append(
                f'"amount" argument (#2) of "plusTime" must be an integer, '
                f"but it is: {show(operands[1])}"
            )
        if count > 2 and operands[2] not in TIME_UNITS:
            problems.append(
                f'"unit" argument (#3) of "plusTime" must be a string equal to one of '
                f"{', '.join(TIME_UNITS)}, but it is: {show(operands[2])}"
            )
    if operator == "extractFromUVCI" and count > 1 and not is_int(operands[1]):
        problems.append(
            f'"index" argument (#2) of "extractFromUVCI" must be an integer, '
            f"but it is: {show(operands[1])}"
        )
    return problems
