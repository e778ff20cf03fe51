"""Properties of assess() over random fact sets under each bundled policy: the status holds
unchanged until valid_until and changes there, the order of the facts never matters, a FactSet
gives what the raw facts give, and the engine agrees with a plain reference."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from engine_reference import reference_assess
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from healthcode.kernel.facts import (
    Arrival,
    Case,
    Colour,
    Exposure,
    Fact,
    HealthDeclaration,
    IdentityCheck,
    ManualOverride,
    Presence,
    QuarantineOrder,
    Release,
    Symptom,
    TestResult,
)
from healthcode.kernel.status import Status
from healthcode.policy.assess import assess
from healthcode.policy.bundled import bundled_policies
from healthcode.policy.factset import FactSet
from healthcode.policy.loader import load_policy
from healthcode.policy.model import Policy

POLICIES = bundled_policies()
T0 = datetime(2026, 3, 1, tzinfo=UTC)
SPAN_SECONDS = 30 * 86_400
RULE_IDS = sorted(
    {r.id for p in POLICIES for r in p.rules} | {n.id for p in POLICIES for n in p.notices}
)

offsets = st.integers(min_value=0, max_value=SPAN_SECONDS)
durations = st.integers(min_value=0, max_value=15 * 86_400).map(lambda s: timedelta(seconds=s))


Base = dict[str, Any]


def _declaration(draw: st.DrawFn, base: Base, _at: datetime) -> Fact:
    return HealthDeclaration(
        **base,
        temperature=draw(st.sampled_from([36.5, 36.9, 37.3, 38.5])),
        symptoms=tuple(draw(st.lists(st.sampled_from(list(Symptom)), max_size=2))),
    )


def _test(draw: st.DrawFn, base: Base, at: datetime) -> Fact:
    return TestResult(
        **base,
        test_kind=draw(st.sampled_from(["pcr", "antigen"])),
        result=draw(st.sampled_from(["negative", "negative", "positive"])),
        sampled_at=at - draw(durations) / 5,
    )


def _exposure(draw: st.DrawFn, base: Base, _at: datetime) -> Fact:
    return Exposure(
        **base,
        category=draw(
            st.sampled_from(["close_contact", "secondary_contact", "companion", "risk_area"])
        ),
        rule="venue",
        source_id="case-1",
        level=draw(st.sampled_from([None, "medium", "high"])),
    )


def _arrival(draw: st.DrawFn, base: Base, _at: datetime) -> Fact:
    return Arrival(
        **base,
        from_region=draw(st.sampled_from(["330100", "110105", "310000", "420100"])),
        to_region="110105",
    )


def _case(_draw: st.DrawFn, base: Base, at: datetime) -> Fact:
    return Case(**base, case_id="c", classification="confirmed", sampled_at=at)


def _order(draw: st.DrawFn, base: Base, at: datetime) -> Fact:
    return QuarantineOrder(
        **base,
        order_id="q",
        setting=draw(st.sampled_from(["home", "central"])),
        planned_end=at + draw(durations),
    )


def _check(_draw: st.DrawFn, base: Base, _at: datetime) -> Fact:
    return IdentityCheck(**base, channel="alipay")


def _override(draw: st.DrawFn, base: Base, at: datetime) -> Fact:
    return ManualOverride(
        **base,
        colour=draw(st.sampled_from(list(Colour))),
        reason_category="symptoms_seen_by_clinic",
        reason_text="clinic",
        expires_at=at + draw(durations),
    )


def _release(draw: st.DrawFn, base: Base, _at: datetime) -> Fact:
    return Release(**base, rules=tuple(draw(st.lists(st.sampled_from(RULE_IDS), max_size=2))))


def _presence(_draw: st.DrawFn, base: Base, at: datetime) -> Fact:
    return Presence(
        **base,
        place_id="v",
        place_kind="shop",
        until=at + timedelta(hours=1),
        source="checkin",
    )


def _plain_declaration(_draw: st.DrawFn, base: Base, _at: datetime) -> Fact:
    return HealthDeclaration(**base, temperature=36.6)


# one builder per drawn kind number, in the order the kinds were drawn before
_KINDS: tuple[Callable[[st.DrawFn, Base, datetime], Fact], ...] = (
    _declaration,
    _test,
    _exposure,
    _arrival,
    _case,
    _order,
    _check,
    _override,
    _release,
    _presence,
    _plain_declaration,
)


@st.composite
def one_fact(draw: st.DrawFn, index: int) -> Fact:
    """A random fact of a random kind, at a random second of a 30-day span."""
    at = T0 + timedelta(seconds=draw(offsets))
    base: Base = {"id": f"f{index:03d}", "subject": "p1", "at": at, "recorded_at": at}
    kind = draw(st.sampled_from(range(11)))
    return _KINDS[kind](draw, base, at)


@st.composite
def fact_sets(draw: st.DrawFn) -> list[Fact]:
    """Up to 25 random facts, some later corrected or retracted."""
    count = draw(st.integers(min_value=0, max_value=25))
    facts = [draw(one_fact(i)) for i in range(count)]
    if facts and draw(st.booleans()):
        old = draw(st.sampled_from(facts))
        facts.append(
            dataclasses.replace(
                old,
                id=f"{old.id}-fix",
                supersedes=old.id,
                retracted=draw(st.booleans()),
                at=old.at + timedelta(hours=draw(st.integers(0, 48))),
            )
        )
    return facts


def _state(status: Status) -> tuple[object, ...]:
    """What a person sees: colour, reasons, notices, and until when."""
    return (status.colour, status.reasons, status.notices, status.valid_until)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    policy=st.sampled_from(POLICIES),
    facts=fact_sets(),
    at_offset=st.integers(min_value=-86_400, max_value=SPAN_SECONDS + 20 * 86_400),
    fractions=st.lists(st.floats(min_value=0, max_value=1, exclude_max=True), max_size=4),
)
def test_status_is_constant_until_valid_until_and_changes_there(
    policy: Policy, facts: list[Fact], at_offset: int, fractions: list[float]
) -> None:
    """The status holds on [at, valid_until) and changes at valid_until (or never, if None)."""
    at = T0 + timedelta(seconds=at_offset)
    status = assess(facts, policy, at)
    until = status.valid_until
    if until is None:
        for later in (at + timedelta(days=1), at + timedelta(days=400)):
            assert _state(assess(facts, policy, later)) == _state(status)
        return
    assert until > at
    last = until - timedelta(microseconds=1)
    for inside in [*(min(at + (until - at) * f, last) for f in fractions), last]:
        assert _state(assess(facts, policy, inside)) == _state(status), inside
    changed = assess(facts, policy, until)
    assert changed.colour != status.colour or (changed.reasons, changed.notices) != (
        status.reasons,
        status.notices,
    )


@settings(max_examples=200, deadline=None)
@given(
    policy=st.sampled_from(POLICIES),
    facts=fact_sets(),
    at_offset=offsets,
    data=st.data(),
)
def test_fact_order_never_matters(
    policy: Policy, facts: list[Fact], at_offset: int, data: st.DataObject
) -> None:
    """Any permutation of the same facts gives the identical status."""
    at = T0 + timedelta(seconds=at_offset)
    shuffled = data.draw(st.permutations(facts))
    assert assess(shuffled, policy, at, subject="p1") == assess(facts, policy, at, subject="p1")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    facts=fact_sets(),
    at_offsets=st.lists(
        st.integers(min_value=-86_400, max_value=SPAN_SECONDS + 20 * 86_400), min_size=1, max_size=4
    ),
    data=st.data(),
)
def test_a_fact_set_assesses_as_the_raw_facts(
    facts: list[Fact], at_offsets: list[int], data: st.DataObject
) -> None:
    """A FactSet reused at any instant under any policy assesses as its raw facts do."""
    prepared = FactSet.of(data.draw(st.permutations(facts)))
    for at in (T0 + timedelta(seconds=offset) for offset in at_offsets):
        for policy in POLICIES:
            assert assess(prepared, policy, at) == assess(facts, policy, at)
            assert assess(prepared, policy, at, subject="p1") == assess(
                facts, policy, at, subject="p1"
            )


# windows the bundled policies do not open: other start fields, "all" combinations, any test
_MORE_WINDOWS = load_policy(
    """
jurisdiction: "330100"
version: "windows"
name: &words {zh: 原因, en: reason}
timezone: "+08:00"
rules:
  - {id: venue, fact: presence, colour: red, text: *words, clears_when: *words,
     window: {start: until, after: PT12H}}
  - {id: order-end, fact: quarantine_order, colour: yellow, text: *words, clears_when: *words,
     window: {start: planned_end, after: P1D, clear: {release: true}}}
  - {id: tests-and-time, fact: exposure, colour: yellow, text: *words, clears_when: *words,
     window: {after: P3D, clear: {negative_tests: {count: 2, apart: PT24H}}, combine: all}}
  - {id: days-and-antigen, fact: exposure, colour: yellow, text: *words, clears_when: *words,
     when: {"===": [{"var": "category"}, "companion"]},
     window: {clear: {normal_declarations: {days: 3}, negative_tests: {count: 1, kind: antigen}},
              combine: all}}
  - {id: any-result, fact: test_result, colour: yellow, text: *words, clears_when: *words,
     when: {"in": [{"var": "result"}, ["positive", "void"]]},
     window: {after: P2D, clear: {normal_declarations: {days: 2}}}}
notices:
  - {id: declare, stale: {fact: health_declaration, max_age: P1D}, text: *words,
     clears_when: *words}
"""
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    policy=st.sampled_from([*POLICIES, _MORE_WINDOWS]),
    facts=fact_sets(),
    at_offset=st.integers(min_value=-86_400, max_value=SPAN_SECONDS + 20 * 86_400),
)
def test_the_engine_gives_what_the_plain_reference_gives(
    policy: Policy, facts: list[Fact], at_offset: int
) -> None:
    """assess() agrees with a plain reference that computes every window of every fact."""
    at = (T0 + timedelta(seconds=at_offset)).astimezone(timezone(timedelta(hours=8)))
    status = assess(facts, policy, at)
    assert status == reference_assess(facts, policy, at)
    if status.valid_until is not None:
        later = status.valid_until
        assert assess(facts, policy, later) == reference_assess(facts, policy, later)
