"""What notifying channels uses: the channels (``identity``) and the durable queue (``jobs``)."""

from __future__ import annotations

from typing import Protocol

from healthcode.identity.ports import ChannelRepository
from healthcode.jobs.ports import JobsUnitOfWork


class NotificationsUnitOfWork(JobsUnitOfWork, Protocol):
    """What queueing and delivering webhooks use."""

    @property
    def channels(self) -> ChannelRepository: ...
