"""FactSet: the facts prepared once (corrections applied, in (at, id) order, one person,
grouped by kind), immutable; and the status objects the engine builds without their
dataclass constructors equal the ones those constructors build."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from engine_facts import (
    arrival,
    case,
    declaration,
    exposure,
    fever,
    identity_check,
    lab_result,
    presence,
    quarantine,
    release,
    t,
)

from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import Colour, FactKind
from healthcode.kernel.status import Notice, Reason, Status, new_notice, new_reason, new_status
from healthcode.policy.assess import assess
from healthcode.policy.bundled import bundled_policy
from healthcode.policy.factset import FactSet


def test_corrections_apply_and_the_order_is_by_time_then_id() -> None:
    """Superseded and retracted facts are gone; the rest are in (at, id) order, by kind."""
    first = declaration("d1", t("2026-01-02 10:00"))
    same_time = identity_check("a0", t("2026-01-02 10:00"))
    old = exposure("e1", t("2026-01-01 10:00"), "companion")
    fixed = dataclasses.replace(old, id="e1-fix", supersedes="e1", at=t("2026-01-01 11:00"))
    gone = lab_result("r1", t("2026-01-03 10:00"))
    retraction = dataclasses.replace(gone, id="r1-x", supersedes="r1", retracted=True)
    prepared = FactSet.of([retraction, first, gone, fixed, same_time, old])
    assert [f.id for f in prepared.facts] == ["e1-fix", "a0", "d1"]
    assert {kind: [f.id for f in facts] for kind, facts in prepared.by_kind.items()} == {
        FactKind.EXPOSURE: ["e1-fix"],
        FactKind.IDENTITY_CHECK: ["a0"],
        FactKind.HEALTH_DECLARATION: ["d1"],
    }
    assert len(prepared) == 3 and prepared.subject == "p1"


def test_facts_of_several_people_are_refused_as_assess_refuses_them() -> None:
    """Several subjects: the same InvalidInput, when preparing and when assessing the set."""
    other = dataclasses.replace(declaration("d2", t("2026-01-01 10:00")), subject="p2")
    facts = [declaration("d1", t("2026-01-01 09:00")), other]
    policy = bundled_policy("330100")
    with pytest.raises(InvalidInput) as raw:
        assess(facts, policy, t("2026-01-02"))
    with pytest.raises(InvalidInput) as prepared:
        FactSet.of(facts)
    assert str(raw.value) == str(prepared.value) == "facts: facts of several subjects: p1, p2"
    with pytest.raises(InvalidInput, match="several subjects: p1, p3"):
        assess(FactSet.of(facts[:1]), policy, t("2026-01-02"), subject="p3")


def test_an_empty_set_is_about_the_person_named() -> None:
    """No fact: the subject comes from the FactSet, else from the assessment, else is empty."""
    policy = bundled_policy("110000")
    assert assess(FactSet.of([]), policy, t("2026-01-02"), subject="p9").subject == "p9"
    assert assess(FactSet.of([], subject="p9"), policy, t("2026-01-02")).subject == "p9"
    assert assess(FactSet.of([]), policy, t("2026-01-02")).subject == ""


def test_a_fact_set_cannot_be_changed() -> None:
    """Setting or deleting an attribute of a FactSet raises."""
    prepared = FactSet.of([declaration("d1", t("2026-01-01 09:00"))])
    with pytest.raises(AttributeError):
        prepared.subject = "p2"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del prepared.facts


def test_status_objects_built_fast_equal_the_dataclass_ones() -> None:
    """new_reason, new_notice and new_status set exactly the dataclass fields, equal values."""
    at, text = t("2026-01-01 10:00"), {"zh": "原因", "en": "reason"}
    reason_args = ("r", Colour.RED, text, ("f1",), at, at + timedelta(days=1), text)
    notice_args = ("n", text, (), None, True, text, None)
    reason, notice = new_reason(*reason_args), new_notice(*notice_args)
    status_args = ("p1", Colour.RED, (reason,), (notice,), at, "v1", at)
    for made, cls, args in [
        (reason, Reason, (*reason_args, None)),  # no progress: set by ``assess`` when due
        (notice, Notice, notice_args),
        (new_status(*status_args), Status, status_args),
    ]:
        names = [f.name for f in dataclasses.fields(cls)]
        assert list(vars(made)) == names
        assert made == cls(**dict(zip(names, args, strict=True)))
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.since = at  # type: ignore[union-attr]


def test_one_field_of_a_fact_is_what_its_whole_condition_data_holds() -> None:
    """``condition_value`` answers as ``condition_data.get`` for every key of every kind of fact."""
    at = t("2022-04-01T08:00:00Z")
    samples = [
        declaration("d1", at, 36.6),
        fever("d2", at),
        lab_result("r1", at, "negative", sampled_at=at - timedelta(hours=4)),
        exposure("e1", at, "close_contact", "high"),
        arrival("a1", at, "310101"),
        case("c1", at),
        quarantine("q1", at, "central", at + timedelta(days=7)),
        identity_check("i1", at),
        release("x1", at, "close-contact"),
        presence("p1", at, at + timedelta(hours=1)),
    ]
    for fact in samples:
        for name in [*type(fact).data_keys(), "no_such_key"]:
            fresh = dataclasses.replace(fact)  # condition_data not built yet
            assert fresh.condition_value(name) == fact.condition_data.get(name), (fact, name)
