"""A reference ``assess``: the engine written the plain way (every window of every matching fact
computed, then what holds at the instant), slow but easy to check against the rules in
``healthcode.policy.assess`` and ``healthcode.policy.windows``. The engine must agree with it."""

from __future__ import annotations

from bisect import insort
from dataclasses import replace
from datetime import UTC, datetime

from healthcode.kernel.facts import (
    Colour,
    Fact,
    FactKind,
    HealthDeclaration,
    ManualOverride,
    Release,
    TestResult,
    effective,
    ordered,
)
from healthcode.kernel.status import Notice, Progress, Reason, Status
from healthcode.policy.conditions import compile_condition
from healthcode.policy.model import Combine, NegativeTests, NoticeRule, Policy, Rule, Window

Span = tuple[datetime | None, datetime | None, Fact | None]
_DAY = 86_400
_NEVER = float("inf")


def reference_assess(
    facts: list[Fact], policy: Policy, at: datetime, subject: str | None = None
) -> Status:
    """The status the engine must give (facts of one person; ``at`` timezone-aware)."""
    live = ordered(effective(facts))
    subjects = {f.subject for f in live} | ({subject} if subject is not None else set())
    assert len(subjects) <= 1
    offset = policy.timezone.utcoffset(None).total_seconds()
    next_change: list[datetime] = []
    reasons: list[Reason] = []
    for rule in policy.rules:
        spans = _spans(rule.id, rule.window, _matching(rule, live), live, offset)
        active, since, ends_at = _holding(spans, at, next_change)
        if active and since is not None:
            reason = _reason(rule, active, since, ends_at)
            need = rule.window.normal_declarations
            if ends_at is None and need is not None:
                start = max(s[0] for s in active if s[0] is not None)
                reason = replace(reason, progress=_progress(need.days, start, live, at, offset))
                next_change.append(_progress_change(need.days, start, live, at, offset))
            reasons.append(reason)
    reasons.sort(key=lambda r: -r.colour.severity)
    notices: list[Notice] = []
    for notice in policy.notices:
        if notice.stale is not None:
            spans = _stale_spans(notice, live)
        elif notice.window is not None:
            spans = _spans(notice.id, notice.window, _matching(notice, live), live, offset)
        else:
            continue
        active, since, ends_at = _holding(spans, at, next_change)
        if active:
            notices.append(
                Notice(
                    notice_id=notice.id,
                    text=notice.text,
                    fact_ids=tuple(s[2].id for s in active if s[2] is not None),
                    since=since,
                    blocks_code=notice.blocks_code,
                    clears_when=notice.clears_when,
                    ends_at=ends_at,
                )
            )
    return Status(
        subject=subjects.pop() if subjects else "",
        colour=reasons[0].colour if reasons else Colour.GREEN,
        reasons=tuple(reasons),
        notices=tuple(notices),
        valid_until=min(next_change, default=None),
        policy_version=policy.version,
        assessed_at=at.astimezone(UTC),
    )


def _matching(item: Rule | NoticeRule, live: list[Fact]) -> list[Fact]:
    condition = compile_condition(item.when)
    return [f for f in live if f.kind is item.fact and condition(f.condition_data)]


def _spans(
    item_id: str, window: Window, facts: list[Fact], live: list[Fact], offset: float
) -> list[Span]:
    spans: list[Span] = []
    for fact in facts:
        start = getattr(fact, window.start)
        if not isinstance(start, datetime):
            continue
        start = start.astimezone(UTC)
        end = _end(item_id, window, start, fact, live, offset)
        if end is None or end > start:
            spans.append((start, None if end is None else end.astimezone(UTC), fact))
    return spans


def _end(
    item_id: str, window: Window, start: datetime, fact: Fact, live: list[Fact], offset: float
) -> datetime | None:
    met: list[datetime | None] = []  # one per ending condition: when met, None if not (yet)
    if window.after is not None:
        met.append(start + window.after)
    if window.end is not None:
        moment = getattr(fact, window.end)
        met.append(moment if isinstance(moment, datetime) else None)
    if window.negative_tests is not None:
        met.append(_tests_end(window.negative_tests, start, live))
    if window.normal_declarations is not None:
        met.append(_declarations_end(window.normal_declarations.days, start, live, offset))
    if window.release:
        releases = [
            f
            for f in live
            if isinstance(f, Release) and f.at > start and (not f.rules or item_id in f.rules)
        ]
        met.append(releases[0].at if releases else None)
    known = [m for m in met if m is not None]
    if window.combine is Combine.FIRST:
        return min(known, default=None)
    return None if len(known) < len(met) else max(known, default=None)


def _tests_end(need: NegativeTests, start: datetime, live: list[Fact]) -> datetime | None:
    samples: list[datetime] = []
    for test in live:
        if not (
            isinstance(test, TestResult)
            and test.result == "negative"
            and (need.kind is None or test.test_kind == need.kind)
            and test.sampled_at > start + need.sampled_after
        ):
            continue
        insort(samples, test.sampled_at)
        length, last = 1, samples[0]
        for sample in samples[1:]:
            if sample - last >= need.apart:
                length, last = length + 1, sample
        if length >= need.count:
            return test.at
    return None


def _declarations_end(
    days: int, start: datetime, live: list[Fact], offset: float
) -> datetime | None:
    first_day = int((start.timestamp() + offset) // _DAY) + 1
    streak, last_day, broken_day = 0, -1, -1
    for fact in live:
        if fact.kind is not FactKind.HEALTH_DECLARATION:
            continue
        day = int((fact.at.timestamp() + offset) // _DAY)
        if day < first_day:
            continue
        if fact.condition_data["normal"] is not True:
            streak, last_day, broken_day = 0, -1, day
            continue
        if day in (broken_day, last_day):
            continue
        streak = streak + 1 if day == last_day + 1 else 1
        last_day = day
        if streak >= days:
            return fact.at
    return None


def _stale_spans(notice: NoticeRule, live: list[Fact]) -> list[Span]:
    assert notice.stale is not None
    facts = [f for f in live if f.kind is notice.stale.fact]
    if not facts:
        return [] if notice.stale.only_if_any else [(None, None, None)]
    times = [f.at.astimezone(UTC) for f in facts]
    spans: list[Span] = [] if notice.stale.only_if_any else [(None, times[0], None)]
    for index, fact in enumerate(facts):
        overdue = times[index] + notice.stale.max_age
        following = times[index + 1] if index + 1 < len(times) else None
        if following is None or overdue < following:
            spans.append((overdue, following, fact))
    return spans


def _holding(
    spans: list[Span], at: datetime, next_change: list[datetime]
) -> tuple[list[Span], datetime | None, datetime | None]:
    """The spans containing ``at`` and the stretch of joined spans around it; every span start
    or end after ``at`` goes to ``next_change``."""
    next_change.extend(m for s in spans for m in s[:2] if m is not None and m > at)
    moment = at.timestamp()
    active = [s for s in spans if _key(s[0], -_NEVER) <= moment < _key(s[1], _NEVER)]
    if not active:
        return active, None, None
    since: datetime | None = None
    until: datetime | None = None
    started = False
    for start, end, _ in sorted(spans, key=lambda s: _key(s[0], -_NEVER)):
        if started and _key(start, -_NEVER) <= _key(until, _NEVER):  # joins the stretch
            if _key(end, _NEVER) > _key(until, _NEVER):
                until = end
        elif started and _key(since, -_NEVER) <= moment < _key(until, _NEVER):
            break  # the stretch around ``at`` is complete
        else:
            since, until, started = start, end, True
    return active, since, until


def _key(moment: datetime | None, default: float) -> float:
    return default if moment is None else moment.timestamp()


def _reason(rule: Rule, active: list[Span], since: datetime, ends_at: datetime | None) -> Reason:
    text, colour = rule.text, rule.colour
    if colour is None:
        overrides = [s[2] for s in active if isinstance(s[2], ManualOverride)]
        colour = Colour.most_severe(o.colour for o in overrides)
        separator = {"zh": "：", "en": ": "}
        text = {
            k: f"{v}{separator.get(k, ': ')}{overrides[-1].reason_text}" for k, v in text.items()
        }
    return Reason(
        rule_id=rule.id,
        colour=colour,
        text=text,
        fact_ids=tuple(s[2].id for s in active if s[2] is not None),
        since=since,
        ends_at=ends_at,
        clears_when=rule.clears_when,
    )


def _counted(day: int, first_day: int, known: list[Fact], offset: float) -> bool:
    """A day counts: on or after the first day, with a normal declaration and no abnormal one."""
    on_day = [
        f.condition_data["normal"] is True
        for f in known
        if int((f.at.timestamp() + offset) // _DAY) == day
    ]
    return day >= first_day and any(on_day) and all(on_day)


def _progress(
    days: int, start: datetime, live: list[Fact], at: datetime, offset: float
) -> Progress:
    """Plainly: the counted days running back from today (or yesterday); the earliest end by
    declaring normal now and at each following midnight until the count completes."""
    known = [f for f in live if f.kind is FactKind.HEALTH_DECLARATION and f.at <= at]
    first_day = int((start.timestamp() + offset) // _DAY) + 1
    today = int((at.timestamp() + offset) // _DAY)
    day = today if _counted(today, first_day, known, offset) else today - 1
    streak = 0
    while _counted(day, first_day, known, offset):
        streak, day = streak + 1, day - 1
    base = known[0] if known else None
    trial: list[Fact] = list(known)
    for n in range(days + 3):
        moment = at if n == 0 else datetime.fromtimestamp((today + n) * _DAY - offset, tz=UTC)
        trial.append(
            HealthDeclaration(
                id=f"trial{n}",
                subject=base.subject if base else "p",
                at=moment,
                recorded_at=moment,
                temperature=36.6,
                symptoms=(),
            )
        )
        done = _declarations_end(days, start, trial, offset)
        if done is not None:
            last = int((done.timestamp() + offset) // _DAY)
            earliest = datetime.fromtimestamp(last * _DAY - offset, tz=UTC)
            return Progress(days=streak, of=days, earliest_end=earliest)
    raise AssertionError("a normal declaration every day completes the count")


def _progress_change(
    days: int, start: datetime, live: list[Fact], at: datetime, offset: float
) -> datetime:
    """The first declaration time or midnight after ``at`` at which the progress differs."""
    now = _progress(days, start, live, at, offset)
    today = int((at.timestamp() + offset) // _DAY)
    moments = [f.at.astimezone(UTC) for f in live if f.kind is FactKind.HEALTH_DECLARATION]
    moments += [
        datetime.fromtimestamp((today + n) * _DAY - offset, tz=UTC) for n in range(1, days + 4)
    ]
    for moment in sorted(m for m in moments if m > at):
        if _progress(days, start, live, moment, offset) != now:
            return moment
    raise AssertionError("the progress changes within the count's days")
