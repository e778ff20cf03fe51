"""What exporting and closing need from storage: every feature's repositories, and purging one
person's personal data (``rights.repository``)."""

from __future__ import annotations

from typing import Protocol

from healthcode.appeals.ports import AppealsUnitOfWork
from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.rights.model import Purged
from healthcode.tracing.ports import TracingUnitOfWork


class ClosingRepository(Protocol):
    def purge_person(self, subject: str) -> Purged:
        """Blank the person's name, ID number, phone and address (and their lookups), mark
        them closed, and delete their logins, channel bindings, consents, staff listings,
        presences and check-ins; facts, statuses and the access log stay (appeals are
        ``AppealRepository.forget``'s)."""
        ...


class RightsUnitOfWork(IdentityUnitOfWork, TracingUnitOfWork, AppealsUnitOfWork, Protocol):
    @property
    def closing(self) -> ClosingRepository: ...
