"""An appeal against a colour, and how it was answered. Pure model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from healthcode.kernel.facts import Colour, FactKind


class AppealState(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the colour stands; the decision says why
    CORRECTED = "corrected"  # a four-eyes correction changed the facts behind the colour
    WITHDRAWN = "withdrawn"  # the person closed their account before it was answered


class Correction(StrEnum):
    """How an appeal is corrected (``answer_appeal`` proposals)."""

    RELEASE = "release"  # an official release from the named rules (all when none named)
    OVERRIDE = "override"  # a manual colour with a health reason and an expiry
    RETRACT = "retract"  # a wrong fact of the person taken back


# facts a correction may take back: those a citizen or a clinic recorded. A case is withdrawn
# (``withdraw_case``) and what tracing derived is lifted by a release.
RETRACTABLE: frozenset[FactKind] = frozenset(
    {
        FactKind.TEST_RESULT,
        FactKind.HEALTH_DECLARATION,
        FactKind.TRAVEL_DECLARATION,
        FactKind.ARRIVAL,
    }
)

MAX_EVIDENCE_LENGTH = 128
DEFAULT_ANSWER_WITHIN = timedelta(hours=6)


@dataclass(frozen=True, kw_only=True)
class Appeal:
    """A citizen's dispute of the colour they had when filing, and its answer once decided.
    ``reason``, ``evidence`` and ``decision`` are free text (encrypted at rest)."""

    id: str
    subject: str
    jurisdiction: str
    colour: Colour
    reason: str
    evidence: str | None
    filed_at: datetime
    due_at: datetime
    state: AppealState = AppealState.OPEN
    decided_at: datetime | None = None
    decided_by: str | None = None
    decision: str = ""
    correction: Correction | None = None
    proposal_id: str | None = None  # the approved answer_appeal proposal of a correction

    def overdue(self, now: datetime) -> bool:
        """Still open at or after its deadline."""
        return self.state is AppealState.OPEN and now >= self.due_at

    @property
    def turnaround(self) -> timedelta | None:
        """From filing to decision (None while open): what the transparency report counts."""
        return None if self.decided_at is None else self.decided_at - self.filed_at


@dataclass(frozen=True, kw_only=True)
class AppealFiling:
    """What a citizen says when filing: why, and optionally a test reference as evidence."""

    reason: str
    evidence: str | None = None


@dataclass(frozen=True)
class AppealCounts:
    """Open appeals, and how many of them are past their deadline (for ``/metrics``)."""

    open: int
    overdue: int
