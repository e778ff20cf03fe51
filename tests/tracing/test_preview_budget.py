"""The time budget on tracing previews, with a substituted monotonic time source: a preview
past its budget stops with a refusal naming it, one within it answers as without a budget."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from healthcode.container import Container
from healthcode.kernel import clock as kernel_clock
from healthcode.kernel.budget import TimeBudget, TookTooLong
from healthcode.oversight.access import Principal
from healthcode.tracing import cases
from identity_helpers import add_test_official, official_headers
from tracing_helpers import hours, officials, report, resident, stay


class Ticks:
    """A monotonic time source that moves ``step`` seconds each time it is read."""

    def __init__(self, step: float) -> None:
        self.step = step
        self.now = 0.0
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        self.now += self.step
        return self.now


def _case(container: Container, reporter: Principal) -> str:
    """A case who dined with someone two days ago, reported."""
    now = container.clock.now()
    case, diner = resident(container, 1), resident(container, 2)
    dinner = now - timedelta(days=2)
    stay(container, case, "louwailou", dinner, dinner + hours(1))
    stay(container, diner, "louwailou", dinner + hours(0.5), dinner + hours(2))
    return report(container, reporter, case, sampled_at=now - hours(12), onset_at=now - hours(24))


def test_a_preview_past_its_budget_stops_with_a_refusal(container: Container) -> None:
    """A preview whose steps take 4 s each stops at the first check past 10 s, naming it."""
    who = officials(container)
    case_id = _case(container, who["wang"])
    ticks = Ticks(4.0)
    with pytest.raises(TookTooLong) as refused:
        cases.preview_case(
            uow=container.uow(),
            clock=container.clock,
            principal=who["li"],
            case_id=case_id,
            budget=TimeBudget(10, monotonic=ticks),
        )
    (problem,) = refused.value.problems
    assert problem.field == "case_id"
    assert problem.message.startswith("tracing preview took longer than 10 s")
    assert ticks.reads == 4  # set at 4 s; checks at 8 s, 12 s: stopped at 16 s, not run out


def test_a_preview_within_its_budget_answers_as_without_one(container: Container) -> None:
    """A preview that keeps within its budget finds what an unbudgeted preview finds."""
    who = officials(container)
    case_id = _case(container, who["wang"])
    ticks = Ticks(0.001)
    kept = cases.preview_case(
        uow=container.uow(),
        clock=container.clock,
        principal=who["li"],
        case_id=case_id,
        budget=TimeBudget(10, monotonic=ticks),
    )
    free = cases.preview_case(
        uow=container.uow(), clock=container.clock, principal=who["li"], case_id=case_id
    )
    assert kept == free and kept.by_rule == {"venue": 1}
    assert ticks.reads > 5  # checked after every read and rule


def test_budget_is_spent_only_past_its_seconds() -> None:
    """The budget holds up to its last instant and refuses just after."""
    clock = iter([100.0, 109.5, 110.0, 110.001])
    spent = TimeBudget(10, monotonic=lambda: next(clock)).start(cases.PREVIEW, field="case_id")
    spent.check()
    spent.check()
    with pytest.raises(TookTooLong):
        spent.check()


def test_the_preview_route_refuses_past_the_settings_budget(
    client: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over HTTP a preview past the setting's budget is a 422 problem naming the budget."""
    who = officials(container)
    case_id = _case(container, who["wang"])
    monkeypatch.setattr(kernel_clock, "monotonic", Ticks(1_000.0))
    kit = add_test_official(container, "sun", "supervisor")
    headers = official_headers(client, kit, container.clock.now())
    answer = client.get(f"/api/v1/cases/{case_id}/preview", headers=headers)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["errors"][0]["field"] == "case_id"
    assert "tracing preview took longer than 10 s" in body["detail"]
