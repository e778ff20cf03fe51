"""What recording facts and reassessing people need from storage; ``status.repository``
implements it (``policies.repository`` the policy in force)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from healthcode.kernel.facts import Fact, FactKind
from healthcode.kernel.status import Status
from healthcode.oversight.ports import OversightUnitOfWork
from healthcode.policy.model import Policy
from healthcode.status.model import StatusChange, StatusHead


class ActivePolicies(Protocol):
    def active(self, jurisdiction: str) -> Policy:
        """The last activated policy of the jurisdiction, else the bundled one."""
        ...


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

    def facts(self, subjects: Sequence[str], kinds: Iterable[FactKind]) -> Mapping[str, list[Fact]]:
        """Per subject, their facts of these kinds in (at, id) order."""
        ...

    def add_facts(self, facts: Sequence[Fact]) -> None:
        """Append facts (any kinds) in a few statements."""
        ...

    def heads(self, subjects: Sequence[str]) -> Mapping[str, StatusHead]:
        """Per subject with a cached status: its colour, ``valid_until`` and policy version."""
        ...

    def currents(self, subjects: Sequence[str]) -> Mapping[str, Status]:
        """Per subject with a cached status: that status (``StatusRepository.current``)."""
        ...

    def save_current(self, statuses: Sequence[Status]) -> None: ...

    def add_changes(self, changes: Sequence[StatusChange]) -> list[StatusChange]:
        """Record colour changes; returns them with their ids, in the same order."""
        ...


class StatusCache(Protocol):
    """Current statuses kept outside the database, for reads that would otherwise open them
    from it (``status.cache``). An answer is only ever a hint: the reader still checks it holds
    now, and any failure of the cache is a miss, never an error."""

    @property
    def enabled(self) -> bool: ...

    def get(self, subject: str) -> Status | None:
        """The kept status of ``subject``; None when there is none or the cache failed."""
        ...

    def forget(self, subjects: Sequence[str]) -> None:
        """Drop what is kept of ``subjects`` (before their new statuses commit)."""
        ...

    def keep(self, statuses: Sequence[Status], *, replace: bool) -> None:
        """Keep ``statuses`` while each holds: ``replace`` one kept from an assessment no later
        than it (a status just saved), else only where none is kept (one read)."""
        ...

    def outcomes(self) -> Mapping[str, int]:
        """How often, since the process started, a read found an entry (``hit``) or none
        (``miss``), and a read, drop or keep failed (``error``); empty without a cache."""
        ...

    def close(self) -> None: ...


class StatusCacheView(Protocol):
    """The status cache as one transaction sees it (``status.cache.TransactionStatusCache``)."""

    def get(self, subject: str) -> Status | None: ...

    def saved(self, statuses: Sequence[Status]) -> None: ...

    def read(self, status: Status) -> None: ...


class StatusUnitOfWork(OversightUnitOfWork, Protocol):
    """What recording facts and reassessing people use (with four eyes, for manual colours)."""

    @property
    def facts(self) -> FactRepository: ...

    @property
    def statuses(self) -> StatusRepository: ...

    @property
    def status_batch(self) -> StatusBatchRepository: ...

    @property
    def status_cache(self) -> StatusCacheView: ...

    @property
    def policies(self) -> ActivePolicies: ...
