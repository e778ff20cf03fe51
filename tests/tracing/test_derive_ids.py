"""What ``derive`` records: a fact under its key, recorded now; once retracted and found
again, a new fact under a new id (an order's own id with it), never the old one reused."""

from __future__ import annotations

from datetime import timedelta

from healthcode.container import Container
from healthcode.kernel.facts import Exposure, Fact, QuarantineOrder
from healthcode.tracing.derive import Applied, Desired, Planned, derive
from healthcode.tracing.model.findings import fact_id
from tracing_helpers import resident

SOURCE = "case-derive-ids"


def _desired(container: Container, subject: str) -> list[Desired]:
    """An exposure and an order, built an hour before the trace that records them."""
    built = container.clock.now() - timedelta(hours=1)
    common = {"subject": subject, "at": built, "recorded_at": built}
    exposure = Exposure(
        id="e" * 32, **common, category="close_contact", rule="household", source_id=SOURCE
    )
    order = QuarantineOrder(
        id="o" * 32, **common, order_id="o" * 32, setting="home", planned_end=built
    )
    at = built.isoformat()
    evidence = {"at": at, "order_id": order.id, "setting": "home", "planned_end": at}
    return [
        Desired(key=f.id, fact=f, rule="household", category="close_contact", evidence=evidence)
        for f in (exposure, order)
    ]


def _derive(container: Container, desired: list[Desired]) -> Applied:
    with container.uow() as uow:
        applied = derive(
            uow,
            container.clock,
            source_kind="case",
            source_id=SOURCE,
            planned=Planned.of(desired),
            cause_added="found",
            cause_removed="gone",
        )
        uow.commit()
    return applied


def _by_kind(facts: list[Fact]) -> dict[str, Fact]:
    return {f.kind.value: f for f in facts if not f.retracted}


def test_a_fact_is_recorded_under_its_key_and_now(container: Container) -> None:
    """A new fact keeps its key as its id and is stamped with the trace's time."""
    desired = _desired(container, resident(container, 1))
    facts = _by_kind(_derive(container, desired).facts)
    now = container.clock.now()
    assert facts["exposure"].id == "e" * 32 and facts["exposure"].recorded_at == now
    order = facts["quarantine_order"]
    assert isinstance(order, QuarantineOrder)
    assert order.id == order.order_id == "o" * 32 and order.recorded_at == now


def test_a_fact_found_again_after_its_retraction_gets_a_new_id(container: Container) -> None:
    """Found, lost, found again: the third trace records new ids, the order's own id too."""
    desired = _desired(container, resident(container, 1))
    _derive(container, desired)
    container.clock.advance(timedelta(minutes=5))
    assert _derive(container, []).retracted == 2
    container.clock.advance(timedelta(minutes=5))
    again = _derive(container, desired)
    facts = _by_kind(again.facts)
    now = container.clock.now()
    assert again.added == 2
    assert facts["exposure"].id == fact_id("e" * 32, 1) and facts["exposure"].recorded_at == now
    order = facts["quarantine_order"]
    assert isinstance(order, QuarantineOrder)
    assert order.id == order.order_id == fact_id("o" * 32, 1) and order.recorded_at == now
