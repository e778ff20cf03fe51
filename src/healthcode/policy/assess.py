"""``assess(facts, policy, at)``: a person's status at an instant, as a pure function.

Every rule and fact-triggered notice opens one window per matching fact, [start, end) (see
``healthcode.policy.windows``); a stale notice holds from the newest fact of its kind growing too
old until the next such fact. At ``at``:

- colour: the most severe colour of the rules with a window containing ``at`` (green if none);
- reasons: one per such rule, most severe first then in policy order, listing the facts whose
  windows contain ``at``; ``since`` and ``ends_at`` bound the unbroken stretch in which the rule
  holds (overlapping or touching windows joined), ``ends_at`` None while a clearing condition
  is unmet;
- notices: likewise, in policy order;
- valid_until: the first window start or end after ``at`` (each one changes the reasons or the
  notices), None when there is none.

Superseded and retracted facts are dropped first and facts are read in (at, id) order, so the
order they are given in never matters. All times in the status are UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from operator import attrgetter

from healthcode.domain.errors import InvalidInput
from healthcode.domain.facts import Colour, Fact, FactKind, ManualOverride, effective, ordered
from healthcode.domain.status import Notice, Reason, Status
from healthcode.policy.matching import match
from healthcode.policy.model import NoticeRule, Policy, Rule, StaleTrigger, Window
from healthcode.policy.windows import Evidence, window_end

# (start, end, fact): start None = since for ever, end None = not (yet) ending
Span = tuple[datetime | None, datetime | None, Fact | None]

_SEPARATOR = {"zh": "：", "en": ": "}
_KINDS = tuple(FactKind)
_SUBJECT = attrgetter("subject")
_NEVER = float("inf")


def assess(
    facts: Iterable[Fact], policy: Policy, at: datetime, *, subject: str | None = None
) -> Status:
    """The status at ``at`` of the person the ``facts`` are about, under ``policy``.

    ``subject`` names the person when there may be no fact; every fact must be about them.
    """
    if at.utcoffset() is None:
        raise InvalidInput.one("at", "must be timezone-aware")
    live = ordered(effective(facts))
    who = _subject(live, subject)
    by_kind: dict[FactKind, list[Fact]] = {kind: [] for kind in _KINDS}
    for fact in live:
        by_kind[fact.kind].append(fact)
    # the facts meeting each rule's (then each notice's) condition
    matched = match(policy.plans, by_kind, len(policy.rules) + len(policy.notices))

    evidence = Evidence(by_kind, policy.timezone)
    timeline = _Timeline(at)
    reasons: list[Reason] = []
    for rule, rule_facts in zip(policy.rules, matched, strict=False):
        if rule_facts:
            spans = _spans(rule.id, rule.window, rule_facts, evidence)
            active, since, ends_at = timeline.holding(spans)
            if active and since is not None:
                reasons.append(_reason(rule, active, since, ends_at))
    if len(reasons) > 1:
        reasons.sort(key=lambda r: -r.colour.severity)  # stable: policy order within a colour
    notices: list[Notice] = []
    for notice, notice_facts in zip(policy.notices, matched[len(policy.rules) :], strict=True):
        if notice.stale is not None:
            spans = _stale_spans(notice.stale, by_kind.get(notice.stale.fact, ()))
        elif notice_facts and notice.window is not None:
            spans = _spans(notice.id, notice.window, notice_facts, evidence)
        else:
            continue
        active, since, ends_at = timeline.holding(spans)
        if active:
            notices.append(_notice(notice, active, since, ends_at))
    return Status(
        subject=who,
        colour=reasons[0].colour if reasons else Colour.GREEN,  # most severe first
        reasons=tuple(reasons),
        notices=tuple(notices),
        valid_until=timeline.next_change,
        policy_version=policy.version,
        assessed_at=_utc(at),
    )


def _subject(facts: list[Fact], subject: str | None) -> str:
    """The one person the facts are about (``subject`` if given, which they must match)."""
    subjects = set(map(_SUBJECT, facts))
    if subject is not None:
        subjects.add(subject)
    if len(subjects) > 1:
        raise InvalidInput.one("facts", f"facts of several subjects: {', '.join(sorted(subjects))}")
    return subjects.pop() if subjects else ""


class _Timeline:
    """What holds at ``at``, rule by rule, and the next instant anything changes."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self.next_change: datetime | None = None

    def holding(self, spans: list[Span]) -> tuple[list[Span], datetime | None, datetime | None]:
        """The spans containing ``at``, and the start and end of the unbroken stretch of spans
        around ``at`` (None, None when no span contains it)."""
        at, next_change = self.at, self.next_change
        active: list[Span] = []
        for span in spans:
            start, end = span[0], span[1]
            if start is not None and start > at:
                if next_change is None or start < next_change:
                    next_change = start
            elif end is None or end > at:
                active.append(span)
            if end is not None and end > at and (next_change is None or end < next_change):
                next_change = end
        self.next_change = next_change
        if not active:
            return active, None, None
        if len(spans) == 1:
            return active, spans[0][0], spans[0][1]
        since, ends_at = _stretch(spans, at)
        return active, since, ends_at


def _stretch(spans: list[Span], at: datetime) -> tuple[datetime | None, datetime | None]:
    """The start and end of the stretch of overlapping or touching spans that contains ``at``
    (one span does)."""
    moment = at.timestamp()
    since: datetime | None = None
    until: datetime | None = None
    started = False
    for start, end, _ in sorted(spans, key=lambda span: _start_key(span[0])):
        if started and _start_key(start) <= _end_key(until):
            if _end_key(end) > _end_key(until):
                until = end
            continue
        if started and _start_key(since) <= moment < _end_key(until):
            break
        since, until, started = start, end, True
    return since, until


def _start_key(moment: datetime | None) -> float:
    return -_NEVER if moment is None else moment.timestamp()


def _end_key(moment: datetime | None) -> float:
    return _NEVER if moment is None else moment.timestamp()


def _utc(moment: datetime) -> datetime:
    """Outputs are in UTC (the project's convention), whatever zone the inputs carry."""
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def _spans(item_id: str, window: Window, facts: Sequence[Fact], evidence: Evidence) -> list[Span]:
    """The windows that the facts (each meeting the condition) open, empty ones left out."""
    spans: list[Span] = []
    only_after, start_field = window.only_after, window.start
    for fact in facts:
        start = fact.at if start_field == "at" else getattr(fact, start_field)
        if not isinstance(start, datetime):
            continue  # an optional start field left empty: the fact opens no window
        if start.tzinfo is not UTC:
            start = start.astimezone(UTC)
        if only_after is not None:
            spans.append((start, start + only_after, fact))
            continue
        end = window_end(window, start, fact, item_id, evidence)
        if end is None:
            spans.append((start, None, fact))
        elif end > start:
            spans.append((start, end if end.tzinfo is UTC else end.astimezone(UTC), fact))
    return spans


def _stale_spans(trigger: StaleTrigger, facts: Sequence[Fact]) -> list[Span]:
    """From each fact growing too old until the next one (and, without only_if_any, before the
    first fact); spans that the next fact cuts to nothing are left out."""
    if not facts:
        return [] if trigger.only_if_any else [(None, None, None)]
    times = [f.at if f.at.tzinfo is UTC else f.at.astimezone(UTC) for f in facts]
    spans: list[Span] = [] if trigger.only_if_any else [(None, times[0], None)]
    max_age = trigger.max_age
    for fact, at, following in zip(facts, times, [*times[1:], None], strict=True):
        overdue = at + max_age
        if following is None or overdue < following:
            spans.append((overdue, following, fact))
    return spans


def _fact_ids(active: list[Span]) -> tuple[str, ...]:
    return tuple(span[2].id for span in active if span[2] is not None)


def _reason(rule: Rule, active: list[Span], since: datetime, ends_at: datetime | None) -> Reason:
    text = rule.text
    if rule.colour is None:  # an override rule: each fact gives its colour
        overrides = [s[2] for s in active if isinstance(s[2], ManualOverride)]
        colour = Colour.most_severe(o.colour for o in overrides)
        newest = overrides[-1].reason_text
        text = {
            lang: f"{words}{_SEPARATOR.get(lang, ': ')}{newest}" for lang, words in text.items()
        }
    else:
        colour = rule.colour
    return Reason(
        rule_id=rule.id,
        colour=colour,
        text=text,
        fact_ids=_fact_ids(active),
        since=since,
        ends_at=ends_at,
        clears_when=rule.clears_when,
    )


def _notice(
    notice: NoticeRule, active: list[Span], since: datetime | None, ends_at: datetime | None
) -> Notice:
    return Notice(
        notice_id=notice.id,
        text=notice.text,
        fact_ids=_fact_ids(active),
        since=since,
        blocks_code=notice.blocks_code,
        clears_when=notice.clears_when,
        ends_at=ends_at,
    )
