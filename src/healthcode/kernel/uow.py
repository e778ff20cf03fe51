"""The unit of work: one use case's transaction, and the events it publishes.

A use case opens a unit of work (``with uow:``), reads and writes through the repositories its
feature's ports name (each feature declares a ``<Feature>UnitOfWork`` protocol listing the ones
its use cases use, extending those of the features it calls), and commits; leaving the block
without committing rolls everything back.

Events are plain dataclasses a use case publishes (``uow.publish(StatusChanged(…))``). They
reach their handlers inside the same transaction, when it commits and just before the database
does, so a change and what follows from it (a notification queued) commit together or not at
all. Handlers are listed in ``healthcode.bootstrap`` (``EventHandlers``): nothing subscribes
itself, and the feature that publishes an event need not know who handles it.

What lies outside the database (a cache of statuses) is told through commit hooks: a
before-commit hook runs after the handlers, just before the database commits; an after-commit
hook only once it has committed. A rollback drops both, unrun.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType, TracebackType
from typing import Any, Protocol, Self

# an event handler gets the unit of work the events were published in (typed by the handler's
# own feature) and every event of its type published since the last dispatch, oldest first
EventHandler = Callable[[Any, Sequence[Any]], None]

# a handler that keeps publishing without end is a bug: dispatching gives up after this
MAX_DISPATCH_ROUNDS = 100


class UnitOfWork(Protocol):
    """One use case's transaction: rolled back on exit unless ``commit`` was called."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def publish(self, event: object) -> None:
        """Hand ``event`` to its handlers when this transaction commits."""
        ...

    def commit(self) -> None:
        """Run the handlers of the events published so far, then commit."""
        ...

    def rollback(self) -> None: ...

    def before_commit(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` when this transaction commits, after the event handlers, just before
        the database commits (not at all if it rolls back)."""
        ...

    def after_commit(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` once this transaction has committed (not at all if it rolls back); a
        hook must not raise: the data is committed whatever it does."""
        ...


class EventHandlers:
    """Which handlers each type of event goes to, in order."""

    def __init__(self, table: Iterable[tuple[type, Sequence[EventHandler]]] = ()) -> None:
        handlers: dict[type, tuple[EventHandler, ...]] = {}
        for event_type, listed in table:
            handlers[event_type] = (*handlers.get(event_type, ()), *listed)
        self._handlers: Mapping[type, tuple[EventHandler, ...]] = MappingProxyType(handlers)

    def dispatch(self, uow: UnitOfWork, events: list[object]) -> None:
        """Run the handlers of ``events`` (emptying the list), and of any events they publish in
        turn into the same list, until none are left. Events of one type go to each of their
        handlers together, so a handler can do its work for a thousand changes at once."""
        for _ in range(MAX_DISPATCH_ROUNDS):
            if not events:
                return
            pending = list(events)
            events.clear()
            by_type: dict[type, list[object]] = {}
            for event in pending:
                by_type.setdefault(type(event), []).append(event)
            for event_type, batch in by_type.items():
                for handler in self._handlers.get(event_type, ()):
                    handler(uow, batch)
        raise RuntimeError(f"events still published after {MAX_DISPATCH_ROUNDS} rounds")
