"""What the appeals use cases need from storage; ``appeals.repository`` implements it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from healthcode.appeals.model import Appeal, AppealCounts
from healthcode.notifications.ports import NotificationsUnitOfWork
from healthcode.status.ports import StatusUnitOfWork


class AppealRepository(Protocol):
    def add(self, appeal: Appeal) -> None: ...

    def get(self, appeal_id: str, *, for_update: bool = False) -> Appeal | None: ...

    def save_decision(self, appeal: Appeal) -> None: ...

    def open_of(self, subject: str) -> Appeal | None:
        """The person's open appeal, if any."""
        ...

    def of_subject(self, subject: str) -> list[Appeal]:
        """The person's appeals, oldest first."""
        ...

    def queue(
        self, *, jurisdiction: str | None, district: str | None, open_only: bool, limit: int
    ) -> list[Appeal]:
        """Appeals of the jurisdiction (of the district's people, when given), soonest
        deadline first."""
        ...

    def counts(self, now: datetime) -> AppealCounts: ...

    def forget(self, subject: str, *, at: datetime) -> int:
        """A closed account: blank the free text the person wrote in their appeals and
        withdraw the open one at ``at``; how many appeals were blanked."""
        ...


class AppealsUnitOfWork(StatusUnitOfWork, NotificationsUnitOfWork, Protocol):
    @property
    def appeals(self) -> AppealRepository: ...
