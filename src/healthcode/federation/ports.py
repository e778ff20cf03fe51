"""What federation needs from storage and from the network; ``federation.repository`` and
``federation.fetch`` implement it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from healthcode.codes.ports import CodesUnitOfWork
from healthcode.federation.model import HeldList, NewPeer, Outcome, Peer
from healthcode.oversight.instance import InstanceUnitOfWork


class PeerUnreachable(Exception):
    """The peer did not answer with a trust list (refused connection, timeout, HTTP error)."""


class TrustListFetcher(Protocol):
    def fetch(self, base_url: str) -> bytes:
        """The body of ``base_url``'s published trust list, or ``PeerUnreachable``."""
        ...

    def close(self) -> None: ...


class PeerRepository(Protocol):
    def add(self, peer: NewPeer, *, at: datetime, by: str) -> None: ...

    def get(self, jurisdiction: str, *, for_update: bool = False) -> Peer | None:
        """The peer with its held list (``for_update``: locked until the transaction ends, so
        two workers syncing it at once record one after the other)."""
        ...

    def all(self) -> list[Peer]: ...

    def remove(self, jurisdiction: str) -> None: ...

    def hold(self, jurisdiction: str, held: HeldList, *, root_public_key: bytes) -> None:
        """Keep ``held`` as the peer's last good list (and the root pinned after it)."""
        ...

    def record_attempt(
        self, jurisdiction: str, *, outcome: Outcome, at: datetime, error: str | None
    ) -> None:
        """Note the sync's time, its error (None: it succeeded) and count its outcome."""
        ...

    def outcome_counts(self) -> Mapping[tuple[str, str], int]:
        """How many syncs came to each outcome, by (peer jurisdiction, outcome)."""
        ...


class FederationUnitOfWork(CodesUnitOfWork, InstanceUnitOfWork, Protocol):
    @property
    def peers(self) -> PeerRepository: ...
