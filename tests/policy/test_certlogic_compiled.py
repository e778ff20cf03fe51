"""The compiled CertLogic form has exactly evaluate()'s semantics.

The official suites run through `compile_expression`, parametrised exactly as
`tests/unit/policy/test_certlogic_conformance.py` (whose loading code is reused, so both run the
same assertions with the same ids). Every suite assertion, skipped ones included, must also give
the same value or the same error (message and path) as `evaluate`; and so must random
expressions, which also check the policy engine's condition predicates.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthcode.policy.certlogic import CertLogicError, evaluate, is_truthy
from healthcode.policy.certlogic.compiled import compile_expression
from healthcode.policy.conditions import compile_condition


def _conformance() -> ModuleType:
    path = Path(__file__).resolve().parent / "test_certlogic_conformance.py"
    spec = importlib.util.spec_from_file_location("certlogic_conformance_suite", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


SUITE = _conformance()


def _outcome(run: Any, data: Any) -> tuple[str, Any]:
    """("value", result) or ("error", (message, path)) of one evaluation."""
    try:
        return "value", run(data)
    except CertLogicError as error:
        return "error", (error.message, error.path)


@pytest.mark.parametrize("loaded", SUITE._evaluation_params())
def test_evaluation_suite_compiled(loaded: Any) -> None:
    """Each official evaluation assertion gives its expected value through the compiled form."""
    SUITE._prepare(loaded)
    compiled = compile_expression(loaded.expression)
    try:
        result = compiled(loaded.entry["data"])
    except CertLogicError as error:
        pytest.fail(f"evaluation refused: {error}")
    expected = loaded.entry["expected"]
    assert SUITE.json_equal(result, expected), f"got {result!r}, expected {expected!r}"


@pytest.mark.parametrize("loaded", SUITE._evaluation_params())
def test_compiled_matches_evaluate_on_every_suite_assertion(loaded: Any) -> None:
    """Skipped assertions included: the same value, or the same error and path, as evaluate."""
    if loaded.missing is not None:
        pytest.fail(loaded.missing, pytrace=False)
    data = loaded.entry["data"]
    compiled = compile_expression(loaded.expression)
    assert _outcome(compiled, data) == _outcome(lambda d: evaluate(loaded.expression, d), data)


# -- random expressions --------------------------------------------------------------------

_DATA = {
    "a": 1,
    "b": 0,
    "s": "x",
    "e": "",
    "t": True,
    "f": False,
    "n": None,
    "l": [1, "x", None],
    "o": {"p": 2, "q": [0, 3]},
    "d": "2021-05-01T10:00:00Z",
    "u": "URN:UVCI:01:NL:187/37512422923",
}
_paths = st.sampled_from(
    ["a", "b", "s", "e", "t", "f", "n", "l", "l.0", "l.5", "o", "o.p", "o.q.1", "", "zz", "d", "u"]
)
_literals = st.one_of(
    st.integers(-3, 3),
    st.sampled_from(["x", "", "y", "2021-05-01", True, False, 1.5, None, 2.0]),
)


_ARITIES = {
    "===": (2, 2), "and": (2, 4), "!": (1, 1), "if": (3, 3), "<": (2, 3), ">": (2, 3),
    "<=": (2, 3), ">=": (2, 3), "in": (2, 2), "+": (2, 2), "after": (2, 3), "before": (2, 3),
    "not-after": (2, 3), "not-before": (2, 3), "reduce": (3, 3), "dccDateOfBirth": (1, 1),
}  # fmt: skip


def _operation(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    def with_arity(op: str) -> st.SearchStrategy[Any]:
        low, high = _ARITIES[op]
        return st.lists(children, min_size=low, max_size=high).map(lambda args: {op: args})

    well_formed = st.sampled_from(sorted(_ARITIES)).flatmap(with_arity)
    any_arity = st.builds(
        lambda op, args: {op: args},
        st.sampled_from([*_ARITIES, "nope"]),
        st.lists(children, min_size=0, max_size=4),
    )
    plus_time = st.builds(
        lambda d, n, unit: {"plusTime": [d, n, unit]},
        children,
        st.sampled_from([0, 1, -2, 1.5]),
        st.sampled_from(["day", "hour", "year", "week"]),
    )
    uvci = st.builds(lambda u, i: {"extractFromUVCI": [u, i]}, children, st.integers(-1, 5))
    return st.one_of(
        well_formed, well_formed, any_arity, plus_time, uvci, st.lists(children, max_size=2)
    )


_leaves = st.one_of(_literals, st.builds(lambda p: {"var": p}, _paths))
expressions = st.one_of(
    st.recursive(_leaves, _operation, max_leaves=4),  # small: mostly valid, often booleans
    st.recursive(_leaves, _operation, max_leaves=12),
)
datas = st.one_of(
    st.just(_DATA),
    st.builds(lambda d, k, v: {**d, k: v}, st.just(_DATA), _paths, _literals),
    st.sampled_from([None, [], 3, "text", datetime(2021, 1, 1, tzinfo=UTC)]),
)


@settings(max_examples=1000, deadline=None)
@given(expression=expressions, data=datas)
def test_compiled_matches_evaluate_on_random_expressions(expression: Any, data: Any) -> None:
    """Random (often invalid) expressions: same value or same error and path as evaluate."""
    expected = _outcome(lambda d: evaluate(expression, d), data)
    assert _outcome(compile_expression(expression), data) == expected


@settings(max_examples=1000, deadline=None)
@given(expression=expressions, data=datas)
def test_condition_predicates_match_evaluate(expression: Any, data: Any) -> None:
    """A condition holds exactly when evaluate gives a truthy value without error."""
    kind, value = _outcome(lambda d: evaluate(expression, d), data)
    assert compile_condition(expression)(data) is (kind == "value" and is_truthy(value))
