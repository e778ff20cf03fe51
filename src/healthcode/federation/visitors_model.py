"""Visitors' presences and the messages that carry their exposures home. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

VISITOR_EXPOSURE: Final = "visitor_exposure"
"""The kind of peer message that tells a city one of its residents was exposed elsewhere."""
VISITOR_EXPOSURE_WITHDRAWN: Final = "visitor_exposure_withdrawn"
"""The kind of peer message that withdraws an exposure sent before (its case was withdrawn or
corrected so that the exposure no longer holds)."""


@dataclass(frozen=True, kw_only=True)
class VisitorPresence:
    """A visitor at a place of this city: their home city (``issuer``) and the opaque subject
    of their code, nothing else about them."""

    id: str
    issuer: str
    subject: str
    place_id: str
    place_kind: str
    place_name: str
    at: datetime
    until: datetime
    source: str
    cell: str | None
    recorded_at: datetime

    @property
    def visitor(self) -> str:
        """The visitor as tracing names them: ``issuer/subject`` (never a subject here)."""
        return visitor_key(self.issuer, self.subject)


def visitor_key(issuer: str, subject: str) -> str:
    return f"{issuer}/{subject}"


def split_visitor(key: str) -> tuple[str, str]:
    issuer, _, subject = key.partition("/")
    return issuer, subject


@dataclass(frozen=True, kw_only=True)
class OutgoingMessage:
    """A message queued for a peer, kept until delivered (and after, as the record of it)."""

    id: str
    peer: str
    kind: str
    subject: str
    body: Mapping[str, Any]
    created_at: datetime
    delivered_at: datetime | None = None
    source: str | None = None
    """What caused it here (``case:<id>``), kept here only: the body never names the case."""


@dataclass(frozen=True, kw_only=True)
class ReceivedMessage:
    """A message a peer sent here, kept once by (peer, id): a replay changes nothing."""

    id: str
    peer: str
    kind: str
    subject: str
    digest: str
    received_at: datetime
