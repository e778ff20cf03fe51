"""What arrivals need from storage and from the peer link; ``arrivals_repository`` and
``arrivals_link`` implement it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from healthcode.federation.arrivals_model import OriginReason
from healthcode.federation.ports import FederationUnitOfWork
from healthcode.kernel.facts import Colour


@dataclass(frozen=True, slots=True)
class RecordedArrival:
    """A visitor's arrival recorded here: who (their issuer and opaque subject), when, and
    what their home city answered (colour, reasons, until when), recorded by whom."""

    id: str
    issuer: str
    subject: str
    at: datetime
    origin_colour: Colour
    origin_reasons: tuple[OriginReason, ...]
    origin_valid_until: datetime | None
    recorded_by: str
    origin_risk_area: str | None = None
    """The highest level of the origin's risk areas in force when it answered; None: not
    said (an answer in the v1 form)."""


class ArrivalRepository(Protocol):
    def add(self, arrival: RecordedArrival, *, consent: str) -> None:
        """Record ``arrival``; ``consent`` is the SHA-256 (hex) of the consent token."""
        ...

    def consent_used(self, consent: str) -> bool: ...

    def of_visitor(self, issuer: str, subject: str) -> list[RecordedArrival]:
        """The visitor's arrivals, oldest first."""
        ...


class LevelledArea(Protocol):
    """A risk area as the origin's answer reads it: its level and its window (public facts)."""

    @property
    def level(self) -> str: ...

    @property
    def starts_at(self) -> datetime: ...

    @property
    def ends_at(self) -> datetime: ...


class RiskAreaLevels(Protocol):
    """This city's risk areas (tracing keeps them; federation only reads their levels)."""

    def list(
        self, jurisdiction: str, *, active_at: datetime | None = None
    ) -> Sequence[LevelledArea]:
        """The areas not over at ``active_at``."""
        ...


class ArrivalUnitOfWork(FederationUnitOfWork, Protocol):
    @property
    def arrivals(self) -> ArrivalRepository: ...

    @property
    def risk_areas(self) -> RiskAreaLevels: ...


class OriginUnreachable(Exception):
    """The origin did not answer (refused connection, timeout, an HTTP error)."""


class PeerLink(Protocol):
    def post(self, url: str, body: bytes) -> bytes:
        """POST ``body`` (a signed COSE message) to ``url``; the answer's body, or
        ``OriginUnreachable``; a 4xx answer's detail in its message."""
        ...

    def close(self) -> None: ...
