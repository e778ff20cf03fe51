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

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from healthcode.domain.errors import InvalidInput
from healthcode.domain.facts import Colour, Fact, FactKind, ManualOverride, effective, ordered
from healthcode.domain.status import Notice, Reason, Status
from healthcode.policy.model import NoticeRule, Policy, Rule, RuleKind, StaleTrigger, Window
from healthcode.policy.windows import Evidence, window_end

# (start, end, fact): start None = since for ever, end None = not (yet) ending
Span = tuple[datetime | None, datetime | None, Fact | None]

_SEPARATOR = {"zh": "：", "en": ": "}
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
    who = subject if subject is not None else live[0].subject if live else ""
    by_kind: dict[FactKind, list[Fact]] = {}
    matched: dict[str, list[Fact]] = {}  # rule or notice id -> facts meeting its condition
    triggers = policy.triggers_by_kind
    for fact in live:
        if fact.subject != who:
            raise InvalidInput.one("facts", f"facts of several subjects: {who}, {fact.subject}")
        kind = fact.kind
        same_kind = by_kind.get(kind)
        if same_kind is None:
            by_kind[kind] = [fact]
        else:
            same_kind.append(fact)
        watching = triggers.get(kind)
        if watching:
            data = fact.condition_data
            for item_id, matches in watching:
                if matches(data):
                    found = matched.get(item_id)
                    if found is None:
                        matched[item_id] = [fact]
                    else:
                        found.append(fact)

    evidence = Evidence(by_kind, policy.timezone)
    timeline = _Timeline(at)
    reasons: list[Reason] = []
    for rule in policy.rules:
        rule_facts = matched.get(rule.id)
        if rule_facts is not None:
            active, since, ends_at = timeline.holding(
                _spans(rule.id, rule.window, rule_facts, evidence)
            )
            if active and since is not None:
                reasons.append(_reason(rule, active, since, ends_at))
    reasons.sort(key=lambda r: -r.colour.severity)  # stable: policy order within a colour
    notices = _notices(policy, by_kind, matched, evidence, timeline)
    return Status(
        subject=who,
        colour=Colour.most_severe(r.colour for r in reasons),
        reasons=tuple(reasons),
        notices=tuple(notices),
        valid_until=timeline.next_change,
        policy_version=policy.version,
        assessed_at=_utc(at),
    )


class _Timeline:
    """What holds at ``at``, rule by rule, and the next instant anything changes."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self.next_change: datetime | None = None

    def holding(self, spans: list[Span]) -> tuple[list[Span], datetime | None, datetime | None]:
        """The spans containing ``at``, and the start and end of the unbroken stretch of spans
        around ``at`` (None, None when no span contains it)."""
        at = self.at
        active: list[Span] = []
        for span in spans:
            start, end = span[0], span[1]
            if start is not None and start > at:
                self._bound(start)
            elif end is None or end > at:
                active.append(span)
            if end is not None and end > at:
                self._bound(end)
        if not active:
            return active, None, None
        if len(spans) == 1:
            return active, spans[0][0], spans[0][1]
        since, ends_at = _stretch(spans, at)
        return active, since, ends_at

    def _bound(self, moment: datetime) -> None:
        if self.next_change is None or moment < self.next_change:
            self.next_change = moment


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
    only_after = window.only_after
    for fact in facts:
        start = fact.at if window.start == "at" else getattr(fact, window.start)
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
            spans.append((start, _utc(end), fact))
    return spans


def _stale_spans(trigger: StaleTrigger, facts: Sequence[Fact]) -> list[Span]:
    if not facts:
        return [] if trigger.only_if_any else [(None, None, None)]
    spans: list[Span] = []
    if not trigger.only_if_any:
        spans.append((None, _utc(facts[0].at), None))
    for index, fact in enumerate(facts):
        overdue = _utc(fact.at) + trigger.max_age
        following = _utc(facts[index + 1].at) if index + 1 < len(facts) else None
        if following is None or overdue < following:
            spans.append((overdue, following, fact))
    return spans


def _fact_ids(active: list[Span]) -> tuple[str, ...]:
    return tuple(span[2].id for span in active if span[2] is not None)


def _reason(rule: Rule, active: list[Span], since: datetime, ends_at: datetime | None) -> Reason:
    text = rule.text
    if rule.kind is RuleKind.OVERRIDE:
        overrides = [s[2] for s in active if isinstance(s[2], ManualOverride)]
        colour = Colour.most_severe(o.colour for o in overrides)
        newest = overrides[-1].reason_text
        text = {
            lang: f"{words}{_SEPARATOR.get(lang, ': ')}{newest}" for lang, words in text.items()
        }
    else:
        colour = rule.colour or Colour.GREEN
    return Reason(
        rule_id=rule.id,
        colour=colour,
        text=text,
        fact_ids=_fact_ids(active),
        since=since,
        ends_at=ends_at,
        clears_when=rule.clears_when,
    )


def _notices(
    policy: Policy,
    by_kind: Mapping[FactKind, list[Fact]],
    matched: Mapping[str, list[Fact]],
    evidence: Evidence,
    timeline: _Timeline,
) -> list[Notice]:
    notices: list[Notice] = []
    for notice in policy.notices:
        spans = _notice_spans(notice, by_kind, matched, evidence)
        if not spans:
            continue
        active, since, ends_at = timeline.holding(spans)
        if active:
            notices.append(
                Notice(
                    notice_id=notice.id,
                    text=notice.text,
                    fact_ids=_fact_ids(active),
                    since=since,
                    blocks_code=notice.blocks_code,
                    clears_when=notice.clears_when,
                    ends_at=ends_at,
                )
            )
    return notices


def _notice_spans(
    notice: NoticeRule,
    by_kind: Mapping[FactKind, list[Fact]],
    matched: Mapping[str, list[Fact]],
    evidence: Evidence,
) -> list[Span]:
    if notice.stale is not None:
        return _stale_spans(notice.stale, by_kind.get(notice.stale.fact, ()))
    notice_facts = matched.get(notice.id)
    if notice.window is None or notice_facts is None:
        return []
    return _spans(notice.id, notice.window, notice_facts, evidence)
