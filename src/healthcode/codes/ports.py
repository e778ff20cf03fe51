"""What keys and codes need from storage; ``codes.repository`` and ``codes.key_files`` implement
it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from healthcode.codes.model import KeyRecord, Publication


class KeyRepository(Protocol):
    def add(self, key: KeyRecord) -> None: ...

    def all(self, jurisdiction: str, *, role: str | None = None) -> list[KeyRecord]: ...

    def end_validity(self, kid: str, at: datetime) -> None: ...

    def last_publication(self, jurisdiction: str) -> Publication | None: ...

    def add_publication(self, publication: Publication) -> None: ...
