"""The matching plans (table lookups, inline truthiness) pick exactly the facts whose condition
evaluate() finds truthy, whatever the data holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st

from healthcode.kernel.facts import Fact, FactKind
from healthcode.policy.certlogic import CertLogicError, evaluate, is_truthy
from healthcode.policy.factset import FactSet
from healthcode.policy.matching import match, match_steps, plan_matching

_KEYS = ["category", "level", "n"]
_VALUES: list[Any] = ["a", "b", "", 0, 1, True, False, None, [], ["a"], {}, {"x": 1}, 2.5]
_VALUES += [0.0, datetime(2026, 1, 1, tzinfo=UTC)]  # a float zero; a value of no JSON type
_CONDITIONS: list[Any] = [
    True,
    {"===": [{"var": "category"}, "a"]},
    {"===": [{"var": "category"}, "b"]},
    {"===": [{"var": "level"}, "a"]},
    {"===": [{"var": "category"}, 1]},
    {"===": ["a", {"var": "category"}]},
    {"var": "category"},
    {"var": "n"},
    {"!": [{"var": "level"}]},
    {"and": [{"var": "category"}, {"var": "level"}]},
    {"!": [{"===": [{"var": "category"}, "a"]}]},
    {"and": [{"===": [{"var": "category"}, "a"]}, {"===": [{"var": "level"}, "b"]}]},
    {"and": [{"===": [{"var": "level"}, "a"]}, {"!": [{"===": [{"var": "category"}, "b"]}]}]},
]


def _holds(expression: Any, data: dict[str, object]) -> bool:
    try:
        return is_truthy(evaluate(expression, data))
    except CertLogicError:
        return False


@settings(max_examples=300, deadline=None)
@given(
    datas=st.lists(
        st.dictionaries(st.sampled_from(_KEYS), st.sampled_from(_VALUES)), min_size=1, max_size=8
    ),
    conditions=st.lists(st.sampled_from(_CONDITIONS), min_size=1, max_size=6),
)
def test_plans_match_exactly_what_evaluate_holds(
    datas: list[dict[str, object]], conditions: list[Any]
) -> None:
    """Each position gets exactly the facts, in order, whose data makes its condition truthy."""
    facts = [_fact(index, data) for index, data in enumerate(datas)]
    kind = _StandIn.kind
    plans = plan_matching((position, kind, c) for position, c in enumerate(conditions))
    matched = match(match_steps(plans), FactSet.of(facts), len(conditions))
    for position, condition in enumerate(conditions):
        assert matched[position] == tuple(f for f in facts if _holds(condition, f.condition_data))


class _StandIn(SimpleNamespace):
    """A fact with any condition data: all that matching reads, and what a FactSet needs."""

    kind = FactKind.HEALTH_DECLARATION

    def condition_value(self, name: str) -> object:
        return self.condition_data.get(name)


def _fact(index: int, data: dict[str, object]) -> Fact:
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=index)
    stand_in = _StandIn(id=f"f{index}", subject="p1", at=at, supersedes=None, retracted=False)
    stand_in.condition_data = data
    return cast(Fact, stand_in)


def test_equality_and_truthiness_conditions_are_planned_as_lookups() -> None:
    """String equalities and bare vars are planned as per-field lookups; the rest are called."""
    conditions: list[Any] = [
        {"===": [{"var": "category"}, "a"]},
        {"===": [{"var": "category"}, "b"]},
        {"===": [{"var": "category"}, "a"]},
        {"var": "fever"},
        {"!": [{"var": "fever"}]},
        True,
        {"!": [{"===": [{"var": "category"}, "a"]}]},
        {"and": [{"===": [{"var": "category"}, "a"]}, {"!": [{"===": [{"var": "level"}, "b"]}]}]},
    ]
    plan = plan_matching((p, FactKind.EXPOSURE, c) for p, c in enumerate(conditions))[
        FactKind.EXPOSURE
    ]
    assert plan.equals == (("category", {"a": (0, 2), "b": (1,)}),)
    assert plan.truthy == (("fever", (3,)),)
    assert [position for position, _ in plan.other] == [4]
    assert plan.always == (5,)
    assert plan.conjunctions == (
        (6, (("category", "a", False),)),
        (7, (("category", "a", True), ("level", "b", False))),
    )
