"""When a rule's window ends: durations, fact fields and the clearing conditions.

``window_end`` gives the instant a window opened at ``start`` ends, or None while no ending
condition is met; the facts that can clear it are read from the person's ``FactSet``.
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

from bisect import bisect_left, insort
from datetime import UTC, datetime, timezone
from operator import itemgetter

from healthcode.kernel.facts import Fact, FactKind, Release
from healthcode.policy.factset import FactSet
from healthcode.policy.model import NegativeTests, Window

_DAY_SECONDS = 86_400
_RELEASE = FactKind.RELEASE  # read once: attributes of an Enum class go through its __getattr__
_TIMESTAMP = itemgetter(1)


def window_end(  # noqa: C901 - hot path (bench/assess.py)
    window: Window, start: datetime, fact: Fact, item_id: str, facts: FactSet, zone: timezone
) -> datetime | None:
    """The instant the window opened at ``start`` (UTC) for ``fact`` ends; None if not known.

    ``facts`` are the person's (what clearing conditions read); declarations count calendar
    days in the policy's time ``zone``."""
    first = window.first  # the earliest condition met ends it, else the latest once all are
    end = None if window.after is None else start + window.after  # UTC: exact elapsed time
    unmet = False  # some ending condition is not met (yet)
    # each condition met replaces ``end`` when it comes earlier (first) or later (all)
    if window.end is not None:
        moment = getattr(fact, window.end)
        if not isinstance(moment, datetime):
            unmet = True
        elif end is None or (moment < end) is first:
            end = moment
    if window.negative_tests is not None:
        moment = _negative_tests_end(window.negative_tests, start, facts)
        if moment is None:
            unmet = True
        elif end is None or (moment < end) is first:
            end = moment
    if window.normal_declarations is not None:
        moment = _declarations_end(window.normal_declarations.days, start, facts, zone)
        if moment is None:
            unmet = True
        elif end is None or (moment < end) is first:
            end = moment
    if window.release:
        releases = facts.by_kind.get(_RELEASE)
        moment = _release_end(item_id, start, releases) if releases else None
        if moment is None:
            unmet = True
        elif end is None or (moment < end) is first:
            end = moment
    return None if unmet and not first else end


def _negative_tests_end(need: NegativeTests, start: datetime, facts: FactSet) -> datetime | None:
    tests = facts.negatives.get(need.kind)
    if tests is None:
        tests = facts.negative_tests(need.kind)
    earliest = start + need.sampled_after
    count, apart = need.count, need.apart
    samples: list[datetime] = []  # sample times of the results known so far, sorted
    for sampled_at, at in tests:
        if sampled_at <= earliest:
            continue
        if count == 1:
            return at
        insort(samples, sampled_at)
        # the most samples that can be picked with each ``apart`` after the previous one
        length, last = 1, samples[0]
        for sample in samples[1:]:
            if sample - last >= apart:
                length, last = length + 1, sample
        if length >= count:
            return at
    return None


def _declarations_end(
    days: int, start: datetime, facts: FactSet, zone: timezone
) -> datetime | None:
    offset = zone.utcoffset(None).total_seconds()
    first_day = int((start.timestamp() + offset) // _DAY_SECONDS) + 1
    declarations = facts.declarations()
    # skip what is surely before first_day (a second's margin over float rounding), then count
    begin = bisect_left(declarations, first_day * _DAY_SECONDS - offset - 1.0, key=_TIMESTAMP)
    streak, last_day, broken_day = 0, -1, -1
    for at, timestamp, normal in declarations[begin:]:
        day = int((timestamp + offset) // _DAY_SECONDS)
        if day < first_day:
            continue
        if not normal:
            streak, last_day, broken_day = 0, -1, day
        elif day != last_day and day != broken_day:
            streak = streak + 1 if day == last_day + 1 else 1
            if streak >= days:
                return at
            last_day = day
    return None


def _release_end(item_id: str, start: datetime, releases: tuple[Fact, ...]) -> datetime | None:
    for release in releases:
        if (
            release.at > start
            and isinstance(release, Release)
            and (not release.rules or item_id in release.rules)
        ):
            return release.at
    return None


def declarations_progress(
    days: int, start: datetime, facts: FactSet, zone: timezone, at: datetime
) -> tuple[int, datetime, datetime]:
    """``_progress_at``, and the instant it changes: that midnight, or the first declaration
    recorded for a time between ``at`` and it that changes the count or the earliest end."""
    done, earliest, change = _progress_at(days, start, facts, zone, at)
    for moment, _, _ in facts.declarations():
        if at < moment < change and _progress_at(days, start, facts, zone, moment)[:2] != (
            done,
            earliest,
        ):
            return done, earliest, moment
    return done, earliest, change


def _progress_at(
    days: int, start: datetime, facts: FactSet, zone: timezone, at: datetime
) -> tuple[int, datetime, datetime]:
    """For a window opened at ``start`` cleared by ``days`` consecutive normal days, not yet
    ended at ``at``: the days of the streak still alive at ``at``; the earliest end, the start
    (midnight in ``zone``) of the first day on which a normal declaration every day from now can
    complete the count; and the instant these change without a new fact, the midnight after the
    next day that can count (the streak lapses, or the earliest end moves a day)."""
    offset = zone.utcoffset(None).total_seconds()
    first_day = int((start.timestamp() + offset) // _DAY_SECONDS) + 1
    now = at.timestamp()
    today = int((now + offset) // _DAY_SECONDS)
    streak, last_day, broken_day = 0, -1, -1
    for _, timestamp, normal in facts.declarations():
        if timestamp > now:
            break
        day = int((timestamp + offset) // _DAY_SECONDS)
        if day < first_day:
            continue
        if not normal:
            streak, last_day, broken_day = 0, -1, day
        elif day != last_day and day != broken_day:
            streak = streak + 1 if day == last_day + 1 else 1
            last_day = day
    if last_day < today - 1:
        streak = 0  # a day was missed: the next normal declaration starts again from one
    done_today = last_day == today or broken_day == today  # today can count no more
    following = today + 1 if done_today else max(today, first_day)  # the next day that counts
    last = following + days - streak - 1  # the day the count can be complete
    earliest = datetime.fromtimestamp(last * _DAY_SECONDS - offset, tz=UTC)
    change = datetime.fromtimestamp((following + 1) * _DAY_SECONDS - offset, tz=UTC)
    return streak, earliest, change
