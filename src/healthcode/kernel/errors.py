"""Domain errors: what went wrong, in words a person can act on. No transport codes here."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: the field (dotted path) and the rule it broke."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class DomainError(Exception):
    """Base of every error the domain and services raise on purpose."""


@dataclass
class InvalidInput(DomainError):
    """The input breaks one or more rules; nothing was stored."""

    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def one(cls, field_name: str, message: str) -> InvalidInput:
        return cls([Problem(field_name, message)])

    def __str__(self) -> str:
        return "; ".join(str(p) for p in self.problems)


@dataclass
class Conflict(DomainError):
    """The input is valid but clashes with what is already recorded."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass
class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the asker)."""

    what: str
    key: str

    def __str__(self) -> str:
        return f"{self.what} {self.key!r} not found"


@dataclass
class NotAllowed(DomainError):
    """The actor is known but may not do this."""

    action: str
    reason: str

    def __str__(self) -> str:
        return f"{self.action}: {self.reason}"


@dataclass
class NotAuthenticated(DomainError):
    """The credentials are missing, unknown, expired, tampered with or replayed."""

    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass
class TooManyAttempts(DomainError):
    """Too many failed attempts: refused without checking until ``retry_after_seconds`` pass."""

    retry_after_seconds: int

    def __str__(self) -> str:
        return f"too many failed attempts; try again in {self.retry_after_seconds} seconds"
