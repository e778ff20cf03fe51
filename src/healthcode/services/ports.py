"""The interfaces services need from the outside world; adapters implement them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from healthcode.domain.facts import Fact, FactKind
from healthcode.domain.person import Consent, Person


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class PersonRepository(Protocol):
    def add(self, person: Person) -> None: ...

    def get(self, subject: str) -> Person | None: ...

    def subject_for_id_number(
        self, *, jurisdiction: str, id_type: str, id_number: str
    ) -> str | None: ...

    def add_consent(self, subject: str, consent: Consent) -> None: ...

    def consents(self, subject: str) -> list[Consent]: ...

    def subjects(self) -> list[str]: ...


class FactRepository(Protocol):
    def add(self, fact: Fact) -> None: ...

    def for_subject(
        self, subject: str, *, kinds: Iterable[FactKind] | None = None
    ) -> Sequence[Fact]: ...


class TokenRepository(Protocol):
    def add(self, *, token_hash: str, subject: str, issued_at: datetime) -> None: ...

    def subject_for(self, token_hash: str) -> str | None: ...


class UnitOfWork(Protocol):
    """One use case's transaction: rolled back on exit unless ``commit`` was called."""

    @property
    def persons(self) -> PersonRepository: ...

    @property
    def facts(self) -> FactRepository: ...

    @property
    def tokens(self) -> TokenRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
