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

``facts`` may be a ``FactSet`` (``healthcode.policy.factset``): the same facts prepared once, for
a caller that assesses them at several instants or under several policies. Raw facts are
prepared inside, so both give the same status; nothing that depends on ``at`` or on the policy
is kept from one call to the next.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from operator import attrgetter, itemgetter

from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import Colour, Fact, ManualOverride
from healthcode.kernel.status import (
    Notice,
    Progress,
    Reason,
    Status,
    new_notice,
    new_reason,
    new_status,
)
from healthcode.policy.factset import FactSet
from healthcode.policy.matching import match
from healthcode.policy.model import NoticeRule, Policy, Rule, StaleTrigger, Window
from healthcode.policy.windows import declarations_progress, window_end

# (start, end, fact): start None = since for ever, end None = not (yet) ending
Span = tuple[datetime | None, datetime | None, Fact | None]

_SEPARATOR = {"zh": "：", "en": ": "}
_GREEN = Colour.GREEN  # read once: attributes of an Enum class go through its __getattr__
_START = itemgetter(0)
_AT = attrgetter("at")
_NO_TIME = timedelta(0)


def assess(  # noqa: C901 - hot path (bench/assess.py)
    facts: Iterable[Fact] | FactSet,
    policy: Policy,
    at: datetime,
    *,
    subject: str | None = None,
) -> Status:
    """The status at ``at`` of the person the ``facts`` are about, under ``policy``.

    ``subject`` names the person when there may be no fact; every fact must be about them.
    """
    if at.tzinfo is not UTC and at.utcoffset() is None:
        raise InvalidInput.one("at", "must be timezone-aware")
    prepared = facts if isinstance(facts, FactSet) else FactSet.of(facts, subject=subject)
    who = prepared.subject
    if subject is not None and subject != who:
        who = prepared.about(subject)  # refused unless the set is about no one yet
    rules, items = policy.rules, policy.notices
    # the facts meeting each rule's (then each notice's) condition
    matched = match(policy.match_steps, prepared, len(rules) + len(items))

    zone = policy.timezone
    next_change: datetime | None = None  # the first window start or end after ``at``
    reasons: list[Reason] = []
    for position, rule in enumerate(rules):
        rule_facts = matched[position]
        if rule_facts:
            active, since, ends_at, next_change = _hold(
                rule.id, rule.window, rule_facts, prepared, zone, at, next_change
            )
            if active and since is not None:
                if rule.colour is None:  # an override rule: each fact gives its colour
                    reasons.append(_override_reason(rule, active, since, ends_at))
                else:
                    reason = new_reason(
                        rule.id,
                        rule.colour,
                        rule.text,
                        _fact_ids(active),
                        since,
                        ends_at,
                        rule.clears_when,
                    )
                    if ends_at is None and rule.window.normal_declarations is not None:
                        next_change = _progress(
                            reason, rule.window, active, prepared, zone, at, next_change
                        )
                    reasons.append(reason)
    if len(reasons) > 1:
        reasons.sort(key=lambda r: -r.colour.severity)  # stable: policy order within a colour
    notices: list[Notice] = []
    for position, notice in enumerate(items, len(rules)):
        notice_facts = matched[position]
        if notice.stale is not None:
            active, since, ends_at, next_change = _hold_stale(
                notice.stale, prepared.by_kind.get(notice.stale.fact, ()), at, next_change
            )
        elif notice_facts and notice.window is not None:
            active, since, ends_at, next_change = _hold(
                notice.id, notice.window, notice_facts, prepared, zone, at, next_change
            )
        else:
            continue
        if active:
            notices.append(_notice(notice, active, since, ends_at))
    return new_status(
        who or "",
        reasons[0].colour if reasons else _GREEN,  # most severe first
        tuple(reasons),
        tuple(notices),
        next_change,
        policy.version,
        at if at.tzinfo is UTC else at.astimezone(UTC),  # outputs are in UTC
    )


Held = tuple[list[Span], datetime | None, datetime | None, datetime | None]


def _hold(  # noqa: C901 - hot path (bench/assess.py)
    item_id: str,
    window: Window,
    facts: Sequence[Fact],
    prepared: FactSet,
    zone: timezone,
    at: datetime,
    next_change: datetime | None,
) -> Held:
    """What the windows the facts open (empty ones left out) hold at ``at``: as ``_holding``.

    The facts are in time order, so the windows come in start order and the stretch around
    ``at`` is the last one of those opening at or before ``at``. Of the windows opening after
    ``at``, only the first one that is not empty can be the next change (the others open later
    still), and they matter beyond that only while they prolong the stretch: their ends are
    computed only then, or to tell whether a window is empty when it might be."""
    if window.start != "at":
        return _hold_from_field(item_id, window, facts, prepared, zone, at, next_change)
    only_after = window.only_after
    never_empty: bool | None = None  # every window ends after it starts: when first needed
    active: list[Span] = []
    since = until = None  # the last stretch so far, once ``started``
    started = opened_later = False
    end: datetime | None
    for fact in facts:
        start = fact.at if fact.at.tzinfo is UTC else fact.at.astimezone(UTC)
        if start > at:
            prolongs = bool(active) and until is not None and start <= until
            if opened_later and not prolongs:
                break
            if only_after is not None:
                end = start + only_after
            else:
                if never_empty is None:
                    never_empty = window.ends_after_start and (
                        window.negative_tests is None or prepared.results_after_samples()
                    )
                if never_empty and not prolongs:
                    end = None  # not needed: only its start counts
                else:
                    end = window_end(window, start, fact, item_id, prepared, zone)
                    if end is not None:
                        if not end > start:
                            continue  # an empty window
                        if end.tzinfo is not UTC:
                            end = end.astimezone(UTC)
            if not opened_later:
                opened_later = True
                if next_change is None or start < next_change:
                    next_change = start
            if prolongs and until is not None and (end is None or end > until):
                until = end
            continue
        if only_after is not None:
            end = start + only_after
        else:
            end = window_end(window, start, fact, item_id, prepared, zone)
            if end is not None:
                if not end > start:
                    continue  # an empty window
                if end.tzinfo is not UTC:
                    end = end.astimezone(UTC)
        if end is None:
            active.append((start, end, fact))
        elif end > at:
            active.append((start, end, fact))
            if next_change is None or end < next_change:
                next_change = end
        if started and (until is None or start <= until):  # overlapping or touching
            if until is not None and (end is None or end > until):
                until = end
        else:
            since, until, started = start, end, True
    if not active:
        return active, None, None, next_change
    return active, since, until, next_change


def _hold_from_field(
    item_id: str,
    window: Window,
    facts: Sequence[Fact],
    prepared: FactSet,
    zone: timezone,
    at: datetime,
    next_change: datetime | None,
) -> Held:
    """``_hold`` for windows opening at another field than ``at``: in no particular order."""
    spans: list[Span] = []
    for fact in facts:
        start = getattr(fact, window.start)
        if not isinstance(start, datetime):
            continue  # an optional start field left empty: the fact opens no window
        if start.tzinfo is not UTC:
            start = start.astimezone(UTC)
        end: datetime | None
        if window.only_after is not None:
            end = start + window.only_after
        else:
            end = window_end(window, start, fact, item_id, prepared, zone)
            if end is not None:
                if not end > start:
                    continue  # an empty window
                if end.tzinfo is not UTC:
                    end = end.astimezone(UTC)
        spans.append((start, end, fact))
    active, since, ends_at, next_change = _holding(spans, at, next_change, in_order=False)
    return active, since, ends_at, next_change


def _holding(
    spans: list[Span], at: datetime, next_change: datetime | None, *, in_order: bool = True
) -> Held:
    """The spans containing ``at``; the start and end of the unbroken stretch of spans around
    ``at`` (None, None when no span contains it); and ``next_change`` brought forward to the
    first start or end of a span after ``at``. ``in_order``: the spans are in start order."""
    active: list[Span] = []
    for span in spans:
        start, end = span[0], span[1]
        if start is not None and start > at:  # a span ends after it starts
            if next_change is None or start < next_change:
                next_change = start
        elif end is None:
            active.append(span)
        elif end > at:
            active.append(span)
            if next_change is None or end < next_change:
                next_change = end
    if not active:
        return active, None, None, next_change
    if len(spans) == 1:
        return active, spans[0][0], spans[0][1], next_change
    since, ends_at = _stretch(spans if in_order else sorted(spans, key=_START), at)
    return active, since, ends_at, next_change


def _stretch(spans: list[Span], at: datetime) -> tuple[datetime | None, datetime | None]:
    """The start and end of the stretch of overlapping or touching spans (in start order, None
    first) that contains ``at`` (one span does)."""
    since: datetime | None = None
    until: datetime | None = None
    started = False
    for start, end, _ in spans:
        if started and (until is None or start is None or start <= until):
            if until is not None and (end is None or end > until):
                until = end
            continue
        if started and (since is None or since <= at) and (until is None or at < until):
            break
        since, until, started = start, end, True
    return since, until


def _hold_stale(  # noqa: C901 - hot path (bench/assess.py)
    trigger: StaleTrigger, facts: Sequence[Fact], at: datetime, next_change: datetime | None
) -> Held:
    """What a stale notice holds at ``at``: as ``_holding`` over ``_stale_spans``, found
    directly. The facts are in time order and, with a positive ``max_age``, the spans never
    touch: at most one holds, the one from the newest fact at or before ``at``."""
    max_age = trigger.max_age
    if not facts or max_age <= _NO_TIME:
        return _holding(_stale_spans(trigger, facts), at, next_change)
    known = bisect_right(facts, at, key=_AT)  # the facts at or before ``at``
    count = len(facts)
    following = None if known == count else facts[known].at
    if following is not None and following.tzinfo is not UTC:
        following = following.astimezone(UTC)
    if known == 0 and not trigger.only_if_any and following is not None:
        # none yet: stale since for ever (``following`` is the first fact: there are facts)
        if next_change is None or following < next_change:
            next_change = following
        return [(None, following, None)], None, following, next_change
    if known:
        newest = facts[known - 1]
        overdue = newest.at if newest.at.tzinfo is UTC else newest.at.astimezone(UTC)
        overdue += max_age
        if overdue <= at:  # too old now, until the following fact (if any)
            if following is not None and (next_change is None or following < next_change):
                next_change = following
            return [(overdue, following, newest)], overdue, following, next_change
    # not stale now: the next change is the first span to open after ``at``
    for index in range(max(known - 1, 0), count):
        fact = facts[index]
        overdue = (fact.at if fact.at.tzinfo is UTC else fact.at.astimezone(UTC)) + max_age
        if index + 1 < count and not overdue < facts[index + 1].at:
            continue  # cut to nothing by the following fact
        if next_change is None or overdue < next_change:
            next_change = overdue
        break
    return [], None, None, next_change


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


def _progress(
    reason: Reason,
    window: Window,
    active: list[Span],
    prepared: FactSet,
    zone: timezone,
    at: datetime,
    next_change: datetime | None,
) -> datetime | None:
    """Set how far the reason's count of normal days has come, from the window that opened last
    (it ends last); the status then holds only until that changes (the next midnight in the
    policy's zone). Returns the status's next change."""
    need = window.normal_declarations
    starts = [span[0] for span in active if span[0] is not None]
    if need is None or not starts:
        return next_change
    start = max(starts)
    days, earliest, change = declarations_progress(need.days, start, prepared, zone, at)
    if not window.first and window.after is not None:
        earliest = max(earliest, start + window.after)  # all conditions: the time too
    # set on the reason just made (frozen afterwards), as ``new_reason`` sets its fields
    reason.__dict__["progress"] = Progress(days=days, of=need.days, earliest_end=earliest)
    return change if next_change is None or change < next_change else next_change


def _fact_ids(active: list[Span]) -> tuple[str, ...]:
    if len(active) == 1:
        fact = active[0][2]
        return () if fact is None else (fact.id,)
    return tuple([span[2].id for span in active if span[2] is not None])


def _override_reason(
    rule: Rule, active: list[Span], since: datetime, ends_at: datetime | None
) -> Reason:
    """Each manual override gives its colour; the newest one's reason is added to the text."""
    overrides = [s[2] for s in active if isinstance(s[2], ManualOverride)]
    newest = overrides[-1].reason_text
    text = {
        lang: f"{words}{_SEPARATOR.get(lang, ': ')}{newest}" for lang, words in rule.text.items()
    }
    colour = Colour.most_severe(o.colour for o in overrides)
    return new_reason(rule.id, colour, text, _fact_ids(active), since, ends_at, rule.clears_when)


def _notice(
    notice: NoticeRule, active: list[Span], since: datetime | None, ends_at: datetime | None
) -> Notice:
    return new_notice(
        notice.id,
        notice.text,
        _fact_ids(active),
        since,
        notice.blocks_code,
        notice.clears_when,
        ends_at,
    )
