"""What visitors' presences and peer messages need from storage and the network."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from healthcode.federation.ports import FederationUnitOfWork
from healthcode.federation.visitors_model import OutgoingMessage, ReceivedMessage, VisitorPresence
from healthcode.jobs.ports import JobsUnitOfWork
from healthcode.oversight.ports import OversightUnitOfWork


class PeerMessageRefused(Exception):
    """The peer did not take the message (down, an HTTP error, or a refusal)."""


class PeerPoster(Protocol):
    def post(self, base_url: str, document: str) -> None:
        """Deliver the signed message to the peer, or ``PeerMessageRefused``."""
        ...

    def close(self) -> None: ...


class VisitorRepository(Protocol):
    def add_presences(self, presences: Sequence[VisitorPresence]) -> int:
        """Store the presences not stored yet (by id); how many were new."""
        ...

    def presences_at(
        self, place_ids: Iterable[str], *, start: datetime, end: datetime
    ) -> list[VisitorPresence]:
        """Visitors' presences at the places that began in ``[start, end)``."""
        ...

    def add_outgoing(self, message: OutgoingMessage) -> bool:
        """Keep the message (False: one with its id is kept already)."""
        ...

    def outgoing(self, message_id: str) -> OutgoingMessage | None: ...

    def outgoing_from(self, source: str) -> list[OutgoingMessage]:
        """The messages kept for peers that ``source`` caused (``case:<id>``), oldest first."""
        ...

    def delivered(self, message_id: str, *, at: datetime) -> None: ...

    def received(self, peer: str, message_id: str) -> ReceivedMessage | None: ...

    def add_received(self, message: ReceivedMessage) -> None: ...

    def delete_before(self, cutoff: datetime) -> int:
        """Delete the visitors' presences ended before ``cutoff``, the messages delivered
        and those received before it; how many rows."""
        ...


class VisitorsUnitOfWork(FederationUnitOfWork, JobsUnitOfWork, OversightUnitOfWork, Protocol):
    @property
    def visitors(self) -> VisitorRepository: ...
