"""The CertLogic 1.3.3 validator: `validate(expression)` lists what's wrong with its form."""

from __future__ import annotations

from dataclasses import dataclass

from healthcode.policy.certlogic.syntax import (
    ARITIES,
    NOT_AN_OPERATION,
    TOO_DEEP,
    deeper_than,
    is_int,
    operand_indices,
    operation_problems,
    segment,
    var_problem,
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a CertLogic expression.

    `path` is the JSON path of the offending sub-expression (`$` for the whole expression,
    `$.if[1]`, `$.and[0]["==="][1]`…); `message` names the rule broken.
    """

    path: str
    message: str


def validate(expression: object) -> list[Problem]:
    """The problems with the form of a CertLogic `expression` (a JSON value); empty if valid.

    This checks everything that can be checked without data: literals, operators, numbers of
    operands, `var` paths, and the literal arguments of `plusTime` and `extractFromUVCI`.
    An expression nested deeper than `syntax.MAX_DEPTH` levels is one problem at `$`.
    """
    if deeper_than(expression):
        return [Problem("$", TOO_DEEP)]
    problems: list[Problem] = []
    try:
        _validate(expression, "$", problems)
    except RecursionError:
        problems.append(Problem("$", "expression nested too deeply"))
    return problems


def _validate(expression: object, path: str, problems: list[Problem]) -> None:
    if isinstance(expression, str | bool) or is_int(expression):
        return
    if isinstance(expression, float):
        problems.append(Problem(path, f"{expression} is a non-integer number"))
    elif isinstance(expression, list):
        for index, item in enumerate(expression):
            _validate(item, f"{path}[{index}]", problems)
    elif isinstance(expression, dict):
        _validate_object(expression, path, problems)
    else:
        problems.append(Problem(path, "invalid CertLogic expression"))


def _validate_object(expression: dict[object, object], path: str, problems: list[Problem]) -> None:
    if len(expression) != 1:
        problems.append(
            Problem(
                path, f"expression object must have exactly one key, but it has {len(expression)}"
            )
        )
        return
    ((operator, operands),) = expression.items()
    if not isinstance(operator, str):
        problems.append(Problem(path, "invalid CertLogic expression"))
    elif operator == "var":
        problem = var_problem(operands)
        if problem is not None:
            problems.append(Problem(path, problem))
    elif not isinstance(operands, list):
        problems.append(Problem(path, NOT_AN_OPERATION))
    elif operator not in ARITIES:
        problems.append(Problem(path, f'unrecognised operator: "{operator}"'))
    else:
        for message in operation_problems(operator, operands):
            problems.append(Problem(path, message))
        for index in operand_indices(operator, operands):
            _validate(operands[index], path + segment(operator, index), problems)
