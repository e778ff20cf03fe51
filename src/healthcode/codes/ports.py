"""What keys and codes need from storage; ``codes.repository`` and ``codes.key_files`` implement
it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from healthcode.codes.model import KeyRecord, Publication
from healthcode.identity.ports import PersonRepository
from healthcode.status.ports import StatusUnitOfWork


class KeyRepository(Protocol):
    def add(self, key: KeyRecord) -> None: ...

    def all(self, jurisdiction: str, *, role: str | None = None) -> list[KeyRecord]: ...

    def end_validity(self, kid: str, at: datetime) -> None: ...

    def last_publication(self, jurisdiction: str) -> Publication | None: ...

    def add_publication(self, publication: Publication) -> Publication:
        """Store ``publication`` unless its sequence number is taken (a concurrent request
        published first); the publication stored under that number either way."""
        ...


class PrivateKeyStore(Protocol):
    def save(self, kid: str, private_key: Ed25519PrivateKey) -> None: ...

    def load(self, kid: str) -> Ed25519PrivateKey: ...


class CodesUnitOfWork(StatusUnitOfWork, Protocol):
    """What keys, trust lists and issuing codes use (a code carries the status now)."""

    @property
    def persons(self) -> PersonRepository: ...

    @property
    def keys(self) -> KeyRepository: ...
