"""Key records (the public half and validity period of a key) and trust-list publications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class KeyRecord:
    """The public half of a key and the period it may sign in: [valid_from, valid_until)."""

    kid: str
    jurisdiction: str
    role: str  # root | signing
    public_key: bytes
    created_at: datetime
    valid_from: datetime
    valid_until: datetime


@dataclass(frozen=True, kw_only=True)
class Publication:
    sequence: int
    jurisdiction: str
    content_sha256: str
    issued_at: datetime
    document: str
