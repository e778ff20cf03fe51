"""The status service on a real database: exact colours, reasons, cache and history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from factories import register, resident_id
from healthcode.container import Container
from healthcode.identity.registration import register_person
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import InvalidInput, NotFound
from healthcode.kernel.facts import Arrival, Colour
from healthcode.kernel.ids import new_id
from healthcode.policies.versions import activate_policy, policy_history, policy_impact
from healthcode.policy.bundled import bundled_policy
from healthcode.status.assessment import current_status, record_fact, status_at, status_history
from healthcode.status.declarations import declare_health
from healthcode.status.test_results import record_test_result
from policy_helpers import activate_by_four_eyes, fever_free_hangzhou

ARRIVED = datetime(2026, 3, 1, 2, 0, 0, tzinfo=UTC)  # 10:00 in Beijing


def _register(container: Container, *, jurisdiction: str = "330100", **overrides: object) -> str:
    return register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=jurisdiction,
        person=register(**overrides),
    ).subject


def _arrive(container: Container, subject: str, *, at: datetime, from_region: str) -> None:
    with container.uow() as uow:
        record_fact(
            uow,
            clock=container.clock,
            fact=Arrival(
                id=new_id(),
                subject=subject,
                at=at,
                recorded_at=at,
                from_region=from_region,
                to_region="110000",
            ),
        )
        uow.commit()


def test_new_person_is_green_for_good(container: Container) -> None:
    """A person with no facts is green, with no reasons, and no change is expected."""
    status = current_status(
        uow=container.uow(), clock=container.clock, subject=_register(container)
    )
    assert status.colour is Colour.GREEN
    assert status.reasons == () and status.valid_until is None


def test_fever_turns_yellow_with_its_reason(container: Container) -> None:
    """A fever declaration turns the code yellow, naming the rule and the declaration."""
    subject = _register(container)
    fact = declare_health(
        uow=container.uow(),
        clock=container.clock,
        subject=subject,
        temperature=38.4,
        symptoms=["fever"],
    )
    status = current_status(uow=container.uow(), clock=container.clock, subject=subject)
    assert status.colour is Colour.YELLOW
    [reason] = status.reasons
    assert reason.rule_id == "fever" and reason.fact_ids == (fact.id,)
    assert "Fever" in reason.text["en"] and reason.text["zh"]


def test_beijing_arrival_is_yellow_for_14_days_to_the_second(
    container: Container, clock: FixedClock
) -> None:
    """An arrival from another province is yellow until arrival + 14 days, green at it."""
    subject = _register(container, jurisdiction="110000")
    clock.set(ARRIVED)
    _arrive(container, subject, at=ARRIVED, from_region="310000")
    end = ARRIVED + timedelta(days=14)
    status = current_status(uow=container.uow(), clock=clock, subject=subject)
    assert status.colour is Colour.YELLOW
    assert status.valid_until == end
    assert status.reasons[0].ends_at == end
    before = status_at(
        uow=container.uow(), clock=container.clock, subject=subject, at=end - timedelta(seconds=1)
    )
    at_end = status_at(uow=container.uow(), clock=container.clock, subject=subject, at=end)
    assert (before.colour, at_end.colour) == (Colour.YELLOW, Colour.GREEN)


def test_arrival_from_within_beijing_stays_green(container: Container, clock: FixedClock) -> None:
    """Moving within Beijing (same province prefix) is not an arrival from another province."""
    subject = _register(container, jurisdiction="110000")
    clock.set(ARRIVED)
    _arrive(container, subject, at=ARRIVED, from_region="110105")
    assert current_status(uow=container.uow(), clock=clock, subject=subject).colour is Colour.GREEN


def test_history_records_the_time_driven_change_at_its_exact_moment(
    container: Container, clock: FixedClock
) -> None:
    """Read weeks later, the history shows green exactly at arrival + 14 days, caused by time."""
    subject = _register(container, jurisdiction="110000")
    clock.set(ARRIVED)
    _arrive(container, subject, at=ARRIVED, from_region="310000")
    clock.set(ARRIVED + timedelta(days=30))
    changes = status_history(uow=container.uow(), clock=clock, subject=subject)
    assert [(c.colour_from, c.colour_to) for c in changes] == [
        (None, Colour.GREEN),
        (Colour.GREEN, Colour.YELLOW),
        (Colour.YELLOW, Colour.GREEN),
    ]
    assert changes[1].at == ARRIVED and changes[1].cause.startswith("arrival ")
    assert changes[2].at == ARRIVED + timedelta(days=14) and changes[2].cause == "time"
    assert changes[1].status.reasons[0].rule_id == "arrival-other-province"
    assert {c.status.policy_version for c in changes} == {bundled_policy("110000").version}


def test_status_is_served_from_cache_until_valid_until(
    container: Container, clock: FixedClock
) -> None:
    """The cached status is served until its valid_until, and reassessed from then on."""
    subject = _register(container, jurisdiction="110000")
    clock.set(ARRIVED)
    _arrive(container, subject, at=ARRIVED, from_region="310000")
    first = current_status(uow=container.uow(), clock=clock, subject=subject)
    clock.set(ARRIVED + timedelta(days=13, hours=23))
    cached = current_status(uow=container.uow(), clock=clock, subject=subject)
    assert cached.assessed_at == first.assessed_at
    clock.set(ARRIVED + timedelta(days=14))
    fresh = current_status(uow=container.uow(), clock=clock, subject=subject)
    assert fresh.colour is Colour.GREEN and fresh.assessed_at == clock.now()


def test_new_fact_replaces_the_cached_status(container: Container, clock: FixedClock) -> None:
    """A new fact is reflected at once, even while the cached status would still hold."""
    subject = _register(container)
    assert current_status(uow=container.uow(), clock=clock, subject=subject).colour is Colour.GREEN
    clock.advance(timedelta(minutes=1))
    record_test_result(
        uow=container.uow(),
        clock=clock,
        subject=subject,
        test_kind="pcr",
        result="positive",
        sampled_at=clock.now() - timedelta(hours=6),
    )
    status = current_status(uow=container.uow(), clock=clock, subject=subject)
    assert status.colour is Colour.RED and status.reasons[0].rule_id == "positive-test"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"test_kind": "blood"}, "kind"),
        ({"result": "maybe"}, "result"),
        ({"sampled_at": datetime(2026, 3, 2, tzinfo=UTC)}, "sampled_at"),
        ({"sampled_at": datetime(2026, 1, 1, tzinfo=UTC)}, "sampled_at"),
    ],
)
def test_bad_test_results_are_refused(
    container: Container, kwargs: dict[str, object], field: str
) -> None:
    """Unknown kinds or results, and samples from the future or too long ago, are refused."""
    subject = _register(container)
    values: dict[str, object] = {
        "test_kind": "pcr",
        "result": "negative",
        "sampled_at": container.clock.now() - timedelta(hours=1),
    }
    values.update(kwargs)
    with pytest.raises(InvalidInput) as refused:
        record_test_result(uow=container.uow(), clock=container.clock, subject=subject, **values)  # type: ignore[arg-type]
    assert field in {p.field for p in refused.value.problems}


def test_status_of_unknown_person_is_not_found(container: Container) -> None:
    """Asking for the status of an unregistered subject is refused as not found."""
    with pytest.raises(NotFound):
        current_status(uow=container.uow(), clock=container.clock, subject="f" * 32)


def test_policy_impact_counts_moves_without_applying(container: Container) -> None:
    """Impact reports from→to counts under a proposed policy and changes nobody's status."""
    feverish = _register(container)
    _register(container, id_number=resident_id(7), phone="13900000001")
    declare_health(
        uow=container.uow(),
        clock=container.clock,
        subject=feverish,
        temperature=38.5,
        symptoms=["fever"],
    )
    impact = policy_impact(uow=container.uow(), clock=container.clock, source=fever_free_hangzhou())
    assert impact.people == 2
    assert impact.moves == {(Colour.YELLOW, Colour.GREEN): 1, (Colour.GREEN, Colour.GREEN): 1}
    assert impact.changed == 1
    assert (
        current_status(uow=container.uow(), clock=container.clock, subject=feverish).colour
        is Colour.YELLOW
    )


def test_activated_policy_applies_and_history_names_it(
    container: Container, clock: FixedClock
) -> None:
    """After activation, the next read reassesses under the new version and records it."""
    subject = _register(container)
    declare_health(
        uow=container.uow(), clock=clock, subject=subject, temperature=38.5, symptoms=["fever"]
    )
    clock.advance(timedelta(hours=1))
    activate_by_four_eyes(container, fever_free_hangzhou())
    status = current_status(uow=container.uow(), clock=clock, subject=subject)
    assert status.colour is Colour.GREEN and status.policy_version == "2020.9"
    last = status_history(uow=container.uow(), clock=clock, subject=subject)[-1]
    assert last.colour_to is Colour.GREEN and last.cause.startswith("policy 2020.9")
    [activated] = policy_history(uow=container.uow(), jurisdiction="330100")
    assert (activated.version, activated.activated_by, activated.approved_by) == (
        "2020.9",
        "wang",
        "li",
    )


def test_same_policy_version_cannot_be_activated_twice(container: Container) -> None:
    """Re-activating an already activated version is refused naming the version."""
    with container.uow() as uow:
        activate_policy(
            uow,
            clock=container.clock,
            source=fever_free_hangzhou(),
            activated_by="a",
            approved_by="b",
        )
        uow.commit()
    with pytest.raises(InvalidInput) as refused, container.uow() as uow:
        activate_policy(
            uow,
            clock=container.clock,
            source=fever_free_hangzhou(),
            activated_by="a",
            approved_by="b",
        )
    assert refused.value.problems[0].field == "version"


def test_the_bundled_version_cannot_be_activated_again(container: Container) -> None:
    """A changed policy under the bundled policy's version is refused."""
    # Cached statuses would never be reassessed under it.
    bundled = bundled_policy("330100").version
    with pytest.raises(InvalidInput) as refused, container.uow() as uow:
        activate_policy(
            uow,
            clock=container.clock,
            source=fever_free_hangzhou(version=bundled),
            activated_by="a",
            approved_by="b",
        )
    assert refused.value.problems[0].field == "version"
    assert bundled in refused.value.problems[0].message
