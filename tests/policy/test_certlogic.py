"""Focused behaviour of the CertLogic evaluator and validator beyond the official suites."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthcode.policy.certlogic import CertLogicError, Problem, evaluate, validate


def _as_is(date_time: str) -> dict[str, Any]:
    return {"plusTime": [date_time, 0, "day"]}


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        (1, "day", datetime(2020, 3, 1, tzinfo=UTC)),
        (1, "month", datetime(2020, 3, 29, tzinfo=UTC)),
        (1, "year", datetime(2021, 3, 1, tzinfo=UTC)),
        (-1, "hour", datetime(2020, 2, 28, 23, tzinfo=UTC)),
    ],
)
def test_plus_time_from_a_leap_day(amount: int, unit: str, expected: datetime) -> None:
    """plusTime from 2020-02-29 follows the specification's leap-day table."""
    assert evaluate({"plusTime": ["2020-02-29", amount, unit]}, None) == expected


def test_plus_time_month_overflow_rolls_into_the_next_month() -> None:
    """Adding a month to 31 January rolls past February, as ECMAScript's setUTCMonth does."""
    assert evaluate({"plusTime": ["2021-01-31", 1, "month"]}, None) == datetime(
        2021, 3, 3, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2004", datetime(2004, 12, 31, tzinfo=UTC)),
        ("2004-02", datetime(2004, 2, 29, tzinfo=UTC)),
        ("2003-02", datetime(2003, 2, 28, tzinfo=UTC)),
        ("2004-02-03", datetime(2004, 2, 3, tzinfo=UTC)),
    ],
)
def test_partial_dates_read_as_last_consistent_date(text: str, expected: datetime) -> None:
    """dccDateOfBirth and plusTime both read YYYY and YYYY-MM as their last day."""
    assert evaluate({"dccDateOfBirth": [text]}, None) == expected
    assert evaluate(_as_is(text), None) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2021-06-01T10:00:00+05:30",
        "2021-06-01T10:00:00+0530",
        "2021-06-01T10:00:00+530",
        "2021-06-01T04:30:00Z",
        "2021-06-01T04:30:00",
        "2021-06-01T04:30:00.0009",
        "2021-06-01T05:30:00+1",
        "2021-06-01T03:30:00-01",
    ],
)
def test_offsets_parse_to_the_same_instant(text: str) -> None:
    """Every allowed offset form parses to an aware UTC instant, truncated to the millisecond."""
    result = evaluate(_as_is(text), None)
    assert result == datetime(2021, 6, 1, 4, 30, tzinfo=UTC)
    assert isinstance(result, datetime)
    assert result.tzinfo is UTC


def test_fractions_are_truncated_to_milliseconds() -> None:
    """Decimals beyond the millisecond are dropped, not rounded."""
    result = evaluate(_as_is("2021-06-01T00:00:00.123999Z"), None)
    assert result == datetime(2021, 6, 1, 0, 0, 0, 123000, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2021-02-30", "2021-13", "21-01-01", "2021-06-01 00:00:00", ""])
def test_invalid_dates_are_refused(text: str) -> None:
    """A string that isn't an allowed, real date(-time) is refused with the operand's path."""
    with pytest.raises(CertLogicError) as caught:
        evaluate({"not-before": [_as_is(text), _as_is("2021-01-01")]}, None)
    assert caught.value.path == '$["not-before"][0].plusTime[0]'


def test_strict_equality_never_equates_booleans_and_numbers() -> None:
    """`===` treats true and 1 (and false and 0) as different."""
    assert evaluate({"===": [True, 1]}, None) is False
    assert evaluate({"===": [{"var": "x"}, 0]}, {"x": False}) is False
    assert evaluate({"in": [1, [True]]}, None) is False


def test_a_date_time_is_neither_truthy_nor_falsy() -> None:
    """An if-guard evaluating to a date-time is refused, naming the guard."""
    with pytest.raises(CertLogicError) as caught:
        evaluate({"and": [True, {"if": [_as_is("2021-01-01"), 1, 2]}]}, None)
    assert caught.value.path == "$.and[1].if[0]"


def test_and_stops_at_the_first_falsy_operand() -> None:
    """Operands after a falsy one are not evaluated (so they can't fail)."""
    expression = {"and": [{"var": "d"}, {"after": [_as_is("2021-01-01"), {"var": "d"}]}]}
    assert evaluate(expression, {"d": None}) is None


def test_shape_is_checked_before_operands_are_evaluated() -> None:
    """A malformed operation is refused even if evaluating its operands would fail too."""
    with pytest.raises(CertLogicError, match='"if" operation must have exactly 3') as caught:
        evaluate({"if": [{"plusTime": [{"var": "x"}, 0, "day"]}, 1]}, {})
    assert caught.value.path == "$"


@pytest.mark.parametrize(
    "expression",
    [
        {"nope": [1]},
        {"in": [1, {"var": "x"}]},
        {"<": [1, "2"]},
        {"+": [1, True]},
        {"reduce": [{"var": "x"}, 1, 0]},
        {"extractFromUVCI": [42, 0]},
        {"var": "x..y"},
    ],
)
def test_invalid_evaluations_raise(expression: dict[str, Any]) -> None:
    """The specification's invalid evaluations raise CertLogicError."""
    with pytest.raises(CertLogicError):
        evaluate(expression, {"x": "not an array"})


def test_reduce_gives_the_lambda_only_accumulator_and_current() -> None:
    """reduce folds from the initial value; a null operand gives the initial value."""
    expression = {"reduce": [{"var": "xs"}, {"+": [{"var": "accumulator"}, {"var": "current"}]}, 5]}
    assert evaluate(expression, {"xs": [1, 2]}) == 8
    assert evaluate(expression, {"xs": None}) == 5


def test_validate_names_the_offending_sub_expressions() -> None:
    """validate reports each problem with the JSON path of its sub-expression."""
    expression = {"if": [{"===": [1]}, {"plusTime": ["2021", 1.5, "week"]}, {"var": 1}]}
    assert [problem.path for problem in validate(expression)] == [
        "$.if[0]",
        "$.if[1]",
        "$.if[1]",
        "$.if[2]",
    ]
    assert validate({"and": [True, {"not-after": [1, 2, 3, 4]}]})[0] == Problem(
        "$.and[1]", 'the "not-after" operation must have 2 or 3 operands, but it has 4'
    )


def test_validate_accepts_a_realistic_rule() -> None:
    """A well-formed rule (a DCC minors check) has no problems."""
    rule = {
        "and": [
            {"var": "payload.dob"},
            {
                "after": [
                    {"dccDateOfBirth": [{"var": "payload.dob"}]},
                    {"plusTime": [{"var": "external.validationClock"}, -18, "year"]},
                ]
            },
        ]
    }
    assert validate(rule) == []


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["", "x", "2021-06", "a.0"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["x", "a", "current"]), children, max_size=2)
    ),
    max_leaves=8,
)
_OPERATORS = [
    "if",
    "===",
    "and",
    ">",
    "<",
    ">=",
    "<=",
    "in",
    "+",
    "!",
    "after",
    "before",
    "not-after",
    "not-before",
    "plusTime",
    "reduce",
    "extractFromUVCI",
    "dccDateOfBirth",
    "nope",
]
_EXPRESSIONS = st.recursive(
    _JSON | st.builds(lambda path: {"var": path}, st.sampled_from(["", "x", "a.0", "x.", 0])),
    lambda children: st.builds(
        lambda operator, operands: {operator: operands},
        st.sampled_from(_OPERATORS),
        st.lists(children | st.sampled_from(["day", "year", 0, 2]), max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=300, database=None, deadline=None)
@given(expression=_EXPRESSIONS, data=_JSON)
def test_any_expression_evaluates_or_raises_certlogic_error(expression: Any, data: Any) -> None:
    """Evaluation never fails with anything but CertLogicError, and validate never raises."""
    assert all(problem.path.startswith("$") for problem in validate(expression))
    refused: CertLogicError | None = None
    try:
        evaluate(expression, data)
    except CertLogicError as error:
        refused = error
    assert refused is None or refused.path.startswith("$")
