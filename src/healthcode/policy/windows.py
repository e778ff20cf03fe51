"""When a rule's window ends: durations, fact fields and the clearing conditions.

``Evidence`` groups, once per assessment, the facts that can clear a window; ``window_end`` then
gives the instant a window opened at ``start`` ends, or None while no ending condition is met.
Exact rules (all windows are half-open, [start, end)):

- ``after``: ``start + duration``, to the microsecond.
- ``end``: the fact's own date-time field (e.g. a manual override's ``expires_at``).
- ``negative_tests``: negative results of the given kind whose sample was taken strictly after
  ``start + sampled_after``; the window ends at the result time (``at``) of the test that first
  completes ``count`` samples each at least ``apart`` after the previous one.
- ``normal_declarations``: calendar days in the policy's time zone, counted from the day after
  the start's day. Declarations are read in time order: a normal one counts its day (once) and
  extends the streak if it is the day after the previous counted day, else starts a new streak
  of one; an abnormal one breaks the streak and its whole day no longer counts. The window ends
  at the declaration that completes ``days`` consecutive counted days. A later abnormal
  declaration does not reopen an ended window (other rules react to it).
- ``release``: the first release fact strictly after ``start`` that names the rule (or notice)
  or names no rule at all.
- ``combine``: first (earliest met condition) or all (latest, once every condition is met).
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone

from healthcode.domain.facts import (
    Fact,
    FactKind,
    Release,
    TestResult,
)
from healthcode.policy.model import Combine, NegativeTests, Window

_DAY_SECONDS = 86_400


class Evidence:
    """The facts of one person that can clear windows, grouped lazily, once per assessment."""

    def __init__(self, by_kind: Mapping[FactKind, Sequence[Fact]], zone: timezone) -> None:
        self._by_kind = by_kind
        self.releases: Sequence[Fact] = by_kind.get(FactKind.RELEASE, ())
        offset = zone.utcoffset(None)
        self._offset_seconds = offset.total_seconds()
        self._negative: dict[str | None, list[TestResult]] = {}
        self._declarations: list[tuple[datetime, int, bool]] | None = None

    def negative_tests(self, kind: str | None) -> list[TestResult]:
        """Negative results (of ``kind``, any when None) in the order their results came."""
        found = self._negative.get(kind)
        if found is None:
            found = [
                f
                for f in self._by_kind.get(FactKind.TEST_RESULT, ())
                if isinstance(f, TestResult)
                and f.result == "negative"
                and (kind is None or f.test_kind == kind)
            ]
            self._negative[kind] = found
        return found

    def day(self, moment: datetime) -> int:
        """The number of the calendar day ``moment`` falls on in the policy's time zone."""
        return int((moment.timestamp() + self._offset_seconds) // _DAY_SECONDS)

    def declarations(self) -> list[tuple[datetime, int, bool]]:
        """Health declarations as (at, local day number, normal), in time order."""
        if self._declarations is None:
            offset = self._offset_seconds
            self._declarations = [
                # "normal" from the memoised condition data: the property recomputes each time
                (
                    f.at,
                    int((f.at.timestamp() + offset) // _DAY_SECONDS),
                    f.condition_data["normal"] is True,
                )
                for f in self._by_kind.get(FactKind.HEALTH_DECLARATION, ())
            ]
        return self._declarations


def window_end(
    window: Window, start: datetime, fact: Fact, rule_id: str, evidence: Evidence
) -> datetime | None:
    """The instant the window opened at ``start`` (UTC) for ``fact`` ends; None if not known."""
    first = window.combine is Combine.FIRST
    end = None if window.after is None else start + window.after  # UTC: exact elapsed time
    unmet = False  # some ending condition is not met (yet)
    if window.end is not None:
        moment = getattr(fact, window.end)
        if isinstance(moment, datetime):
            end = _pick(end, moment, first)
        else:
            unmet = True
    if window.negative_tests is not None:
        moment = _negative_tests_end(window.negative_tests, start, evidence)
        unmet = unmet or moment is None
        end = _pick(end, moment, first)
    if window.normal_declarations is not None:
        moment = _declarations_end(window.normal_declarations.days, start, evidence)
        unmet = unmet or moment is None
        end = _pick(end, moment, first)
    if window.release:
        moment = _release_end(rule_id, start, evidence) if evidence.releases else None
        unmet = unmet or moment is None
        end = _pick(end, moment, first)
    return None if unmet and not first else end


def _pick(end: datetime | None, moment: datetime | None, first: bool) -> datetime | None:
    """The earlier (``first``) or the later of two ends met so far; None: none met."""
    if moment is None or (end is not None and (moment < end) is not first):
        return end
    return moment


def _negative_tests_end(
    need: NegativeTests, start: datetime, evidence: Evidence
) -> datetime | None:
    earliest = start + need.sampled_after
    samples: list[datetime] = []  # sample times of the results known so far, sorted
    for test in evidence.negative_tests(need.kind):
        if test.sampled_at <= earliest:
            continue
        if need.count == 1:
            return test.at
        insort(samples, test.sampled_at)
        if _chain_length(samples, need.apart) >= need.count:
            return test.at
    return None


def _chain_length(samples: list[datetime], apart: timedelta) -> int:
    """The most samples (sorted) that can be picked with each ``apart`` after the previous."""
    length, last = 1, samples[0]
    for sample in samples[1:]:
        if sample - last >= apart:
            length, last = length + 1, sample
    return length


def _declarations_end(days: int, start: datetime, evidence: Evidence) -> datetime | None:
    first_day = evidence.day(start) + 1
    streak, last_day, broken_day = 0, -1, -1
    for at, day, normal in evidence.declarations():
        if day < first_day:
            continue
        if not normal:
            streak, last_day, broken_day = 0, -1, day
            continue
        if day in (broken_day, last_day):
            continue
        streak = streak + 1 if day == last_day + 1 else 1
        last_day = day
        if streak >= days:
            return at
    return None


def _release_end(rule_id: str, start: datetime, evidence: Evidence) -> datetime | None:
    for release in evidence.releases:
        if (
            release.at > start
            and isinstance(release, Release)
            and (not release.rules or rule_id in release.rules)
        ):
            return release.at
    return None
