"""A policy activated is applied to everyone by the worker, not only to those read since: each
person's change of colour is recorded at once with the new version in its cause, a batch of
people a job, the batches chained; a sweep whose version was replaced stops."""

from __future__ import annotations

import pytest

from healthcode.container import Container
from healthcode.kernel.facts import Colour
from healthcode.policies import sweep
from healthcode.status.assessment import status_history
from healthcode.status.declarations import declare_health
from policy_helpers import activate_by_four_eyes, fever_free_hangzhou
from presence_helpers import person
from tracing_helpers import work


def _versions(container: Container, subjects: list[str]) -> dict[str, str]:
    with container.uow() as uow:
        heads = uow.status_batch.heads(subjects)
    return {s: heads[s].policy_version for s in subjects if s in heads}


def _sweep_until_done(container: Container) -> int:
    """Worker passes until one runs no job; the jobs run in all."""
    done = 0
    for _ in range(20):
        ran = work(container).jobs_done
        if not ran:
            return done
        done += ran
    raise AssertionError("the sweep did not end")


def test_an_activation_turns_everyone_it_changes_at_once_with_the_version_as_cause(
    container: Container,
) -> None:
    """A feverish person turns green when the worker sweeps, not when next read."""
    feverish, other = person(container, 1), person(container, 2)
    declare_health(uow=container.uow(), clock=container.clock, subject=feverish, temperature=38.4)
    activated = container.clock.now()
    activate_by_four_eyes(container, fever_free_hangzhou(version="2026.5"))
    assert _versions(container, [feverish, other]) == {feverish: "2020.2", other: "2020.2"}
    assert _sweep_until_done(container) >= 1
    assert _versions(container, [feverish, other]) == {feverish: "2026.5", other: "2026.5"}
    with container.uow() as uow:
        changes = uow.statuses.changes(feverish)
    last = changes[-1]
    assert (last.colour_from, last.colour_to) == (Colour.YELLOW, Colour.GREEN)
    assert last.cause == "policy 2026.5; time"
    assert last.at == activated
    history = status_history(uow=container.uow(), clock=container.clock, subject=other)
    assert [c.colour_to for c in history] == [Colour.GREEN], "no change recorded for the other"


def test_a_large_jurisdiction_is_swept_a_batch_a_job(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With batches of two, five people take three chained jobs, everyone reassessed."""
    monkeypatch.setattr(sweep, "SWEEP_BATCH", 2)
    people = [person(container, n) for n in range(1, 6)]
    activate_by_four_eyes(container, fever_free_hangzhou(version="2026.6"))
    assert _sweep_until_done(container) == 3
    assert set(_versions(container, people).values()) == {"2026.6"}


def test_a_sweep_whose_version_was_replaced_stops(container: Container) -> None:
    """Two activations before the worker runs: the first's sweep does nothing, the second's all."""
    people = [person(container, n) for n in range(1, 4)]
    activate_by_four_eyes(container, fever_free_hangzhou(version="2026.7"))
    activate_by_four_eyes(container, fever_free_hangzhou(version="2026.8"))
    with container.uow() as uow:
        first = sweep.reassess_batch(
            uow, container.clock, jurisdiction="330100", version="2026.7", after=""
        )
    assert first.superseded and first.people == 0
    _sweep_until_done(container)
    assert set(_versions(container, people).values()) == {"2026.8"}
