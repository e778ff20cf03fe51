"""A long-running worker outlives a failed pass: it logs the error and the next pass runs."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import OperationalError

from healthcode.container import Container
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.worker import Worker


class FlakyDatabase:
    """A unit-of-work factory whose first ``failures`` calls fail as a restarting server does."""

    def __init__(self, container: Container, failures: int) -> None:
        self._container = container
        self.failures = failures
        self.calls = 0

    def __call__(self) -> SqlUnitOfWork:
        self.calls += 1
        if self.calls <= self.failures:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        return self._container.uow()


def test_a_failed_pass_is_logged_and_reported_as_none(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    """A pass that cannot reach the database gives None and logs why, instead of raising."""
    worker = Worker(
        uow_factory=FlakyDatabase(container, failures=1),
        clock=container.clock,
        kinds=container.job_kinds,
    )
    assert worker.run_surviving() is None
    assert "worker pass failed" in caplog.text
    assert "server closed the connection" in caplog.text


def test_the_next_pass_after_a_failure_runs(container: Container) -> None:
    """After a failed pass the worker loop goes on, and a later pass completes."""
    database = FlakyDatabase(container, failures=2)
    worker = Worker(uow_factory=database, clock=container.clock, kinds=container.job_kinds)
    stop = threading.Event()
    passes: list[bool] = []
    run_once = worker.run_once

    def counted() -> object:
        try:
            report = run_once()
        except OperationalError:
            passes.append(False)
            raise
        passes.append(True)
        stop.set()
        return report

    worker.run_once = counted  # type: ignore[method-assign]
    thread = threading.Thread(target=worker.run, args=(stop,), kwargs={"interval": 0.01})
    thread.start()
    thread.join(timeout=30)
    stop.set()
    assert not thread.is_alive()
    assert passes[:2] == [False, False]
    assert passes[-1] is True
