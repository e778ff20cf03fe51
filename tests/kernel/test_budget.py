"""Time budgets read a monotonic counter (here a fake one) and refuse once it passes the end."""

from __future__ import annotations

import pytest

from healthcode.kernel import clock
from healthcode.kernel.budget import TimeBudget, TookTooLong
from healthcode.kernel.errors import InvalidInput


class Counter:
    """A fake monotonic counter: each reading moves it on by ``step`` seconds."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 100.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_a_deadline_refuses_once_its_seconds_have_passed() -> None:
    """A 3 s budget allows three 1 s readings and refuses the fourth, naming work, limit, field."""
    deadline = TimeBudget(3, monotonic=Counter(1.0)).start("checking the policy", field="policy")
    for _ in range(3):
        deadline.check()
    with pytest.raises(TookTooLong) as refused:
        deadline.check()
    assert isinstance(refused.value, InvalidInput)
    assert str(refused.value) == "policy: checking the policy took longer than 3 s and was stopped"


def test_a_still_counter_never_runs_out() -> None:
    """Work that takes no time is never refused, however many checks it makes."""
    deadline = TimeBudget(0.5, monotonic=Counter(0.0)).start("work", field="x")
    for _ in range(10_000):
        deadline.check()


def test_the_system_counter_is_read_when_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a counter of its own a budget reads ``kernel.clock.monotonic`` (substitutable)."""
    fake = Counter(10.0)
    monkeypatch.setattr(clock, "monotonic", fake)
    deadline = TimeBudget(15).start("work", field="x")
    deadline.check()
    with pytest.raises(TookTooLong, match="took longer than 15 s"):
        deadline.check()
