"""The transparency report's figures and the pure rules that compute them: colours per day from
the status history, and the turnaround of appeals (median, 95th percentile, overdue). Every
figure is a count or a duration; no one is named."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from healthcode.kernel.errors import InvalidInput
from healthcode.oversight.access import Purpose

DEFAULT_DAYS: Final = 30  # the period shown when none is asked for
MONTHLY_AFTER: Final = 366  # a longer period's page shows the colours at each month's end
MAX_ASKED_DAYS: Final = 3653  # a period asked by dates: ten years (the whole emergency: any)
EARLIEST: Final = date(2000, 1, 1)  # the days any time of the system may fall on
LATEST: Final = date(2099, 12, 31)
UNMASK_PURPOSE: Final = Purpose.UNMASK.value  # the access log's purpose for a revealed number
COLOURS: Final = ("green", "yellow", "red")


def _check_day(name: str, day: date) -> None:
    if not EARLIEST <= day <= LATEST:
        raise InvalidInput.one(name, f"must be from {EARLIEST} to {LATEST}")


@dataclass(frozen=True)
class Period:
    """The days reported on: ``[start, end)``, from ``first`` at 00:00 UTC to the day after
    ``last``."""

    first: date
    last: date

    @classmethod
    def of(cls, first: date, last: date, *, longest: int | None = MAX_ASKED_DAYS) -> Period:
        """The period from ``first`` to ``last`` inclusive (``InvalidInput`` if reversed,
        outside the system's days, or longer than ``longest`` days when given). A period of
        several years is computed with the same figures as a month."""
        for name, day in (("from", first), ("to", last)):
            _check_day(name, day)
        if last < first:
            raise InvalidInput.one("to", "must not be before from")
        if longest is not None and (last - first).days + 1 > longest:
            raise InvalidInput.one(
                "to", f"a period asked by dates covers at most {longest} days (whole: any)"
            )
        return cls(first, last)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=UTC)

    @classmethod
    def around(cls, today: date, first: date | None, last: date | None) -> Period:
        """The period asked for; without ``to``, up to ``today``; without ``from``, the
        ``DEFAULT_DAYS`` days up to ``to``."""
        last = today if last is None else last
        _check_day("to", last)
        first = last - timedelta(days=DEFAULT_DAYS - 1) if first is None else first
        return cls.of(first, last)

    @classmethod
    def since(cls, today: date, first_record: datetime | None, last: date | None) -> Period:
        """The whole emergency: from the day of the instance's first record (``today`` when
        there is none) to ``last`` (default ``today``)."""
        last = today if last is None else last
        _check_day("to", last)
        first = today if first_record is None else first_record.astimezone(UTC).date()
        return cls.of(min(first, last), last, longest=None)  # as long as the emergency was

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def length(self) -> int:
        """How many days the period covers."""
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class ColourChange:
    """One entry of the status history, reduced to what the report counts."""

    subject: str
    at: datetime
    colour: str


@dataclass(frozen=True)
class ColourDay:
    """How many people held each colour at the end of a day."""

    day: date
    counts: Mapping[str, int]


@dataclass(frozen=True)
class AppealTimes:
    """One appeal's times and outcome, no one's reason."""

    filed_at: datetime
    due_at: datetime
    decided_at: datetime | None
    state: str


@dataclass(frozen=True)
class AppealFigures:
    filed: int
    decided: int
    outcomes: Mapping[str, int]  # upheld, corrected, withdrawn, open: appeals filed in the period
    median_seconds: float | None  # turnaround of the appeals decided in the period
    p95_seconds: float | None
    overdue: int  # answered after their deadline, or still open past it


@dataclass(frozen=True)
class ReadCount:
    role: str
    purpose: str
    count: int


@dataclass(frozen=True)
class BreakGlassFigures:
    uses: int
    people: int  # people read, summed over the uses
    by_what: Mapping[str, int]


@dataclass(frozen=True)
class BulkFigures:
    """Proposals above the bulk threshold made in the period (``oversight.bulk``)."""

    proposed: int
    executed: int  # approved by two approvers
    pending: int  # awaiting their first or second approval
    rejected: int
    people: int  # people touched, as counted when proposed, summed
    by_kind: Mapping[str, int]


def bulk_figures(rows: Iterable[tuple[str, str, int | None]]) -> BulkFigures:
    """The figures of bulk proposals given as (kind, status, people touched)."""
    rows = list(rows)
    statuses = Counter(status for _k, status, _p in rows)
    return BulkFigures(
        proposed=len(rows),
        executed=statuses["approved"],
        pending=statuses["pending"],
        rejected=statuses["rejected"],
        people=sum(p or 0 for _k, _s, p in rows),
        by_kind=dict(sorted(Counter(kind for kind, _s, _p in rows).items())),
    )


@dataclass(frozen=True)
class TransparencyReport:
    """What the system did from ``period.start`` to ``period.end``, as of ``generated_at``."""

    period: Period
    generated_at: datetime
    colours: list[ColourDay]
    held: Mapping[str, int]  # rows held now, per kind of data
    purged: Mapping[str, int]  # what was deleted in the period, per kind
    reads: list[ReadCount]
    unmaskings: int
    overrides: Mapping[str, int]  # colour overrides recorded in the period, per health reason
    appeals: AppealFigures
    break_glass: BreakGlassFigures
    bulk_actions: BulkFigures
    whole: bool = False  # from the instance's first record: the whole emergency


def colours_by_day(changes: Iterable[ColourChange], days: list[date]) -> list[ColourDay]:
    """The colour count at the end of each day, replaying the history in time order (changes
    are given ordered by time)."""
    current: dict[str, str] = {}
    held: Counter[str] = Counter()  # kept as the history is replayed: O(1) a day, any crowd
    ordered = iter(changes)
    pending = next(ordered, None)
    out: list[ColourDay] = []
    for day in days:
        end = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)
        while pending is not None and pending.at < end:
            before = current.get(pending.subject)
            if before is not None:
                held[before] -= 1
            current[pending.subject] = pending.colour
            held[pending.colour] += 1
            pending = next(ordered, None)
        out.append(ColourDay(day, {colour: held.get(colour, 0) for colour in COLOURS}))
    return out


def nearest_rank(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least ``fraction`` of the values
    at or below it (``None`` when there are none)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)), 1) - 1]


def _late(appeal: AppealTimes, cutoff: datetime) -> bool:
    answered = appeal.decided_at is not None and appeal.decided_at < cutoff
    if answered and appeal.decided_at is not None:
        return appeal.decided_at > appeal.due_at
    return appeal.due_at < cutoff


def appeal_figures(
    appeals: list[AppealTimes], start: datetime, end: datetime, now: datetime
) -> AppealFigures:
    """Appeals filed or decided in ``[start, end)``: counts, outcomes and turnaround; overdue
    (answered after the deadline, or unanswered past it) as of the earlier of ``end`` and
    ``now``."""
    cutoff = min(end, now)
    filed = [a for a in appeals if start <= a.filed_at < end]
    decided = [a for a in appeals if a.decided_at is not None and start <= a.decided_at < end]
    turnarounds = [
        (a.decided_at - a.filed_at).total_seconds() for a in decided if a.decided_at is not None
    ]
    touched = {id(a): a for a in [*filed, *decided]}
    return AppealFigures(
        filed=len(filed),
        decided=len(decided),
        outcomes=dict(Counter(a.state for a in filed)),
        median_seconds=statistics.median(turnarounds) if turnarounds else None,
        p95_seconds=nearest_rank(turnarounds, 0.95),
        overdue=sum(_late(a, cutoff) for a in touched.values()),
    )
