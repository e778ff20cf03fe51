"""Case reports: what an official reports (subject, sampling time, symptom onset or asymptomatic,
test reference, optionally when the person was isolated), its life (reported → confirmed by a
different official → corrected or withdrawn, each with a reason) and its validation. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from healthcode.kernel.errors import Problem
from healthcode.kernel.text import TextKind, normalise, text_problem
from healthcode.kernel.times import payload_time

MAX_REFERENCE: Final = 64
MAX_SAMPLE_AGE: Final = timedelta(days=30)


class CaseState(StrEnum):
    REPORTED = "reported"  # waiting for a second official
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"  # the confirmation was refused


class Classification(StrEnum):
    CONFIRMED = "confirmed"  # symptomatic
    ASYMPTOMATIC = "asymptomatic"


@dataclass(frozen=True, kw_only=True)
class CaseDetails:
    """What a report says about the case; a correction replaces it as a whole."""

    subject: str
    classification: Classification
    sampled_at: datetime
    onset_at: datetime | None
    isolated_at: datetime | None
    test_reference: str

    def payload(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "asymptomatic": self.classification is Classification.ASYMPTOMATIC,
            "sampled_at": self.sampled_at.isoformat(),
            "onset_at": None if self.onset_at is None else self.onset_at.isoformat(),
            "isolated_at": None if self.isolated_at is None else self.isolated_at.isoformat(),
            "test_reference": self.test_reference,
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


@dataclass(frozen=True, kw_only=True)
class CaseReport:
    """What an official reports, as entered (``parse_details`` checks it when it is proposed)."""

    subject: str
    sampled_at: datetime
    test_reference: str
    onset_at: datetime | None = None
    asymptomatic: bool = False
    isolated_at: datetime | None = None

    def payload(self) -> dict[str, Any]:
        """The report as a proposal carries it."""
        return {
            "subject": self.subject,
            "sampled_at": self.sampled_at.isoformat(),
            "onset_at": _iso(self.onset_at),
            "asymptomatic": self.asymptomatic,
            "test_reference": self.test_reference,
            "isolated_at": _iso(self.isolated_at),
        }


@dataclass(frozen=True, kw_only=True)
class CaseCorrection:
    """The details of a confirmed case an official corrects; None leaves one as it is."""

    sampled_at: datetime | None = None
    onset_at: datetime | None = None
    asymptomatic: bool | None = None
    test_reference: str | None = None
    isolated_at: datetime | None = None

    def payload(self) -> dict[str, Any]:
        """Only the corrected details, as a proposal carries them."""
        given: dict[str, Any] = {
            "sampled_at": _iso(self.sampled_at),
            "onset_at": _iso(self.onset_at),
            "asymptomatic": self.asymptomatic,
            "test_reference": self.test_reference,
            "isolated_at": _iso(self.isolated_at),
        }
        return {k: v for k, v in given.items() if v is not None}


@dataclass(frozen=True, kw_only=True)
class CaseRecord:
    case_id: str
    jurisdiction: str
    details: CaseDetails
    state: CaseState
    version: int
    reported_by: str
    reported_at: datetime
    confirmed_by: str | None = None
    confirmed_at: datetime | None = None
    case_fact_id: str | None = None
    withdrawn_by: str | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str = ""
    traced_at: datetime | None = None
    trace_counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    exposures: int = 0
    # what the last trace traced: the record's version and the digest of the tracing settings
    traced_version: int | None = None
    traced_settings: str | None = None

    @property
    def subject(self) -> str:
        return self.details.subject

    def isolation(self, now: datetime) -> datetime:
        """When the case stopped exposing others: isolation if reported, else confirmation
        (``now`` while not yet confirmed, e.g. for a preview)."""
        confirmed = self.confirmed_at or now
        isolated = self.details.isolated_at
        return confirmed if isolated is None else min(isolated, confirmed)


def _reference(raw: object, problems: list[Problem]) -> str:
    """The lab's test number, trimmed (a problem when missing or too long)."""
    if not isinstance(raw, str) or not raw.strip():
        problems.append(Problem("payload.test_reference", "is required: the lab's test number"))
        return ""
    raw = normalise(raw)
    problem = text_problem(raw, TextKind.IDENTIFIER)
    if problem is not None and not problem.startswith("must be at most"):
        problems.append(Problem("payload.test_reference", problem))
        return ""
    if len(raw.strip()) > MAX_REFERENCE:
        problems.append(
            Problem("payload.test_reference", f"must be at most {MAX_REFERENCE} characters")
        )
    return raw.strip()


def parse_details(
    payload: Mapping[str, Any], *, now: datetime
) -> tuple[CaseDetails | None, list[Problem]]:
    """Check a report's payload: times with zones and not in the future, a sample at most 30
    days old, onset for symptomatic cases and none for asymptomatic ones, a test reference."""
    problems: list[Problem] = []
    subject = payload.get("subject")
    if not isinstance(subject, str) or not subject:
        problems.append(Problem("payload.subject", "is required"))
    sampled = payload_time(payload, "sampled_at", problems)
    if sampled is None and payload.get("sampled_at") is None:
        problems.append(Problem("payload.sampled_at", "is required: when the sample was taken"))
    onset = payload_time(payload, "onset_at", problems)
    isolated = payload_time(payload, "isolated_at", problems)
    asymptomatic = payload.get("asymptomatic", False)
    if not isinstance(asymptomatic, bool):
        problems.append(Problem("payload.asymptomatic", "must be true or false"))
    elif asymptomatic and onset is not None:
        problems.append(Problem("payload.onset_at", "an asymptomatic case has no symptom onset"))
    elif not asymptomatic and onset is None and payload.get("onset_at") is None:
        problems.append(Problem("payload.onset_at", "is required unless the case is asymptomatic"))
    for key, moment in (("sampled_at", sampled), ("onset_at", onset), ("isolated_at", isolated)):
        if moment is not None and moment > now:
            problems.append(Problem(f"payload.{key}", "must not be in the future"))
    if sampled is not None and now - sampled > MAX_SAMPLE_AGE:
        problems.append(Problem("payload.sampled_at", "must be within the last 30 days"))
    reference = _reference(payload.get("test_reference"), problems)
    if problems or sampled is None or not isinstance(subject, str):
        return None, problems
    return (
        CaseDetails(
            subject=subject,
            classification=Classification.ASYMPTOMATIC
            if asymptomatic
            else Classification.CONFIRMED,
            sampled_at=sampled,
            onset_at=onset,
            isolated_at=isolated,
            test_reference=reference,
        ),
        [],
    )
