"""Reassessing many people at once gives what ``record_fact`` gives one by one: the same
colours, reasons, history and notifications — also for people with time-driven changes to catch
up on first, or never assessed before."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import text

from healthcode.container import Container
from healthcode.kernel.facts import Exposure, Fact
from healthcode.kernel.ids import new_id
from healthcode.notifications.delivery import outbox
from healthcode.status.assessment import current_status, record_fact, status_history
from healthcode.status.batch import record_many
from identity_helpers import add_test_channel
from status_helpers import quarantined_for_two_hours
from tracing_helpers import hours, resident


def _exposure(container: Container, subject: str, category: str, *, days_ago: float) -> Fact:
    now = container.clock.now()
    return Exposure(
        id=new_id(),
        subject=subject,
        at=now - timedelta(days=days_ago),
        recorded_at=now,
        category=category,
        rule="venue",
        source_id="case-1",
        place_id="louwailou",
        overlap_minutes=30.0,
    )


def _seen(container: Container, subject: str) -> tuple[object, ...]:
    status = current_status(uow=container.uow(), clock=container.clock, subject=subject)
    history = status_history(uow=container.uow(), clock=container.clock, subject=subject)
    bodies = []
    for m in outbox(uow=container.uow()):
        if m.subject == subject:
            body = json.loads(m.body)
            bodies.append((body["colour_from"], body["colour_to"], body["at"], m.event))
    return (
        status.colour,
        [(r.rule_id, r.since, r.ends_at) for r in status.reasons],
        status.valid_until,
        [(h.colour_from, h.colour_to, h.at, h.cause) for h in history],
        bodies,
    )


def test_batch_equals_one_by_one(container: Container) -> None:
    """Recording facts with ``record_many`` leaves a status as ``record_fact`` does."""
    kit = add_test_channel(container)
    pairs = {
        name: (resident(container, 2 * i + 1), resident(container, 2 * i + 2))
        for i, name in enumerate(["fresh", "due", "never"])
    }
    with container.uow() as uow:
        for one, many in pairs.values():
            for s in (one, many):
                uow.channels.bind(
                    channel_id=kit.id,
                    channel_user_id=f"u-{s}",
                    subject=s,
                    bound_at=container.clock.now(),
                )
        uow.commit()
    # "due": a home quarantine order ending in 2 h - the status cached now stops holding then;
    # "never": no cached status at all
    now = container.clock.now()
    for s in pairs["due"]:
        quarantined_for_two_hours(container, s)
    with container.uow() as uow:  # registration cached a first status: forget it
        uow.session.execute(
            text("DELETE FROM current_statuses WHERE subject IN (:a, :b)"),
            {"a": pairs["never"][0], "b": pairs["never"][1]},
        )
        uow.commit()
    container.clock.advance(hours(3))  # type: ignore[attr-defined]
    with container.uow() as uow:
        for one, _ in pairs.values():
            record_fact(
                uow,
                clock=container.clock,
                fact=_exposure(container, one, "close_contact", days_ago=1),
            )
        uow.commit()
    with container.uow() as uow:
        many = [many for _, many in pairs.values()]
        record_many(
            uow,
            clock=container.clock,
            facts=[_exposure(container, s, "close_contact", days_ago=1) for s in many],
            causes={s: "test cause" for s in many},
        )
        uow.commit()
    for name, (one, many) in pairs.items():
        a, b = _seen(container, one), _seen(container, many)
        # the causes name the facts recorded one by one, and the batch's given cause
        assert a[:3] == b[:3], name
        assert [h[:3] for h in a[3]] == [h[:3] for h in b[3]], name  # type: ignore[index,union-attr]
        assert a[4] == b[4], name
    # the pending time-driven change was recorded first, at its own moment (the order's end)
    due = _seen(container, pairs["due"][1])[3]
    assert due[-1][2] == now + hours(2)  # type: ignore[index]
