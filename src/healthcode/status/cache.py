"""The status cache as one transaction uses it, and the cache that keeps nothing.

Reads of a person's status now (a code shown, a code checked online) may take it from a cache
outside the database (``status.redis_cache``) instead of opening the stored status. The cache is
told of every status saved, in the transaction's commit hooks: the people's entries are dropped
just before the database commits and the new statuses kept once it has (a rollback leaves the
cache untouched). A status read from the database is kept after the commit too, but only where
the cache holds none, so a read that raced a change never overwrites the newer status.

Nothing the cache answers is trusted further than the database's own stored status would be:
the reader checks the policy version and ``valid_until`` against its clock; a status this
transaction saved is read from the database; an entry lives at most the cache's maximum age,
so one a crash left behind (the database committed, the hook never ran) is gone soon after.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from healthcode.kernel.status import Status
from healthcode.status.ports import StatusCache


class NoStatusCache:
    """The cache when none is configured: keeps nothing, every read goes to the database."""

    enabled = False

    def get(self, subject: str) -> Status | None:
        return None

    def forget(self, subjects: Sequence[str]) -> None:
        return None

    def keep(self, statuses: Sequence[Status], *, replace: bool) -> None:
        return None

    def outcomes(self) -> Mapping[str, int]:
        return {}

    def close(self) -> None:
        return None


class TransactionStatusCache:
    """``cache`` as one transaction sees it: it skips the people the transaction saved a status
    for and tells the cache of its saves and reads through the transaction's commit hooks."""

    def __init__(
        self,
        cache: StatusCache,
        *,
        before_commit: Callable[[Callable[[], None]], None],
        after_commit: Callable[[Callable[[], None]], None],
    ) -> None:
        self._cache = cache
        self._before_commit = before_commit
        self._after_commit = after_commit
        self._saved: dict[str, Status] = {}
        self._read: dict[str, Status] = {}
        self._hooked = False

    def get(self, subject: str) -> Status | None:
        """The cached status of ``subject``, unless this transaction saved one (then None: the
        database has the transaction's own)."""
        if not self._cache.enabled or subject in self._saved:
            return None
        return self._cache.get(subject)

    def saved(self, statuses: Sequence[Status]) -> None:
        """``statuses`` were saved in this transaction: kept once it commits."""
        if not self._cache.enabled or not statuses:
            return
        for status in statuses:
            self._saved[status.subject] = status
            self._read.pop(status.subject, None)
        self._hook()

    def read(self, status: Status) -> None:
        """``status`` was read from the database: kept after the commit where none is kept."""
        if not self._cache.enabled or status.subject in self._saved:
            return
        self._read[status.subject] = status
        self._hook()

    def _hook(self) -> None:
        if self._hooked:
            return
        self._hooked = True
        self._before_commit(self._forget_saved)
        self._after_commit(self._keep)

    def _forget_saved(self) -> None:
        if self._saved:
            self._cache.forget(sorted(self._saved))

    def _keep(self) -> None:
        if self._saved:
            self._cache.keep(list(self._saved.values()), replace=True)
        if self._read:
            self._cache.keep(list(self._read.values()), replace=False)
