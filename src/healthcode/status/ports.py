"""What recording facts and reassessing people need from storage; ``status.repository`` implements
it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from healthcode.kernel.facts import Fact, FactKind
from healthcode.kernel.status import Status
from healthcode.notifications.model import OutboxMessage
from healthcode.status.model import StatusChange, StatusHead


class FactRepository(Protocol):
    def add(self, fact: Fact) -> None: ...

    def for_subject(
        self, subject: str, *, kinds: Iterable[FactKind] | None = None
    ) -> Sequence[Fact]: ...

    def by_subject(self, subjects: Sequence[str]) -> Mapping[str, list[Fact]]:
        """Every fact of each of ``subjects`` (few queries, for bulk work)."""
        ...


class StatusRepository(Protocol):
    def current(self, subject: str) -> Status | None: ...

    def save_current(self, status: Status) -> None: ...

    def add_change(self, change: StatusChange) -> StatusChange: ...

    def changes(self, subject: str) -> list[StatusChange]: ...

    def due(self, now: datetime, *, limit: int) -> list[str]:
        """Subjects whose cached status stops holding at or before ``now``, soonest first."""
        ...


class StatusBatchRepository(Protocol):
    """Bulk reads and writes for reassessing many people in one transaction."""

    def jurisdictions(self, subjects: Sequence[str]) -> Mapping[str, str]: ...

    def facts(self, subjects: Sequence[str], kinds: Iterable[FactKind]) -> Mapping[str, list[Fact]]:
        """Per subject, their facts of these kinds in (at, id) order."""
        ...

    def add_facts(self, facts: Sequence[Fact]) -> None:
        """Append facts (any kinds) in a few statements."""
        ...

    def heads(self, subjects: Sequence[str]) -> Mapping[str, StatusHead]:
        """Per subject with a cached status: its colour, ``valid_until`` and policy version."""
        ...

    def save_current(self, statuses: Sequence[Status]) -> None: ...

    def add_changes(self, changes: Sequence[StatusChange]) -> list[StatusChange]:
        """Record colour changes; returns them with their ids, in the same order."""
        ...

    def bindings(self, subjects: Sequence[str]) -> Mapping[str, list[tuple[str, str]]]:
        """Per subject, (channel id, channel user id) of the active channels it is bound to."""
        ...

    def add_outbox(self, messages: Sequence[OutboxMessage]) -> int:
        """Queue messages for changes recorded in this transaction (their keys are new)."""
        ...
