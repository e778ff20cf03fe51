"""Several devices' signed batches in one call (``upload_scan_batches``): stored as each alone
would be, all or nothing, a refusal naming the batch — on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from healthcode.container import Container
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import FactKind
from healthcode.presence.scans import upload_scan_batches
from presence_helpers import T0, city, device, person, scan


def _count(container: Container, subject: str) -> int:
    with container.uow() as uow:
        return len(list(uow.facts.for_subject(subject, kinds=[FactKind.PRESENCE])))


def test_batches_of_two_devices_are_stored_in_one_call(container: Container) -> None:
    """Each batch gets its own receipt; its scans are presences at its device's venue."""
    c = city(container)
    here, there = device(container, c.restaurant), device(container, c.hospital)
    a, b = person(container, 1), person(container, 2)
    at = T0 - timedelta(minutes=30)
    receipts = upload_scan_batches(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        batches=[
            here.batch([scan(1, a, at), scan(2, b, at)]),
            there.batch([scan(1, a, at + timedelta(minutes=5))]),
            here.batch([scan(2, b, at)]),
        ],
    )
    assert [(r.venue, r.scans, r.stored, r.duplicates) for r in receipts] == [
        (c.restaurant.id, 2, 2, 0),
        (c.hospital.id, 1, 1, 0),
        (c.restaurant.id, 1, 0, 1),
    ]
    assert (_count(container, a), _count(container, b)) == (2, 1)


def test_one_bad_batch_refuses_them_all_naming_it(container: Container) -> None:
    """A batch whose signature fails refuses the call; nothing of the good batch is stored."""
    c = city(container)
    here, there = device(container, c.restaurant), device(container, c.hospital)
    a = person(container, 1)
    forged = here.batch([scan(3, a, T0)])
    forged["device"] = there.id
    with pytest.raises(InvalidInput) as refused:
        upload_scan_batches(
            uow=container.uow(),
            clock=container.clock,
            jurisdiction="330100",
            batches=[here.batch([scan(1, a, T0)]), forged],
        )
    assert [p.field for p in refused.value.problems] == ["batches[1].signature"]
    assert _count(container, a) == 0
    with pytest.raises(InvalidInput):
        upload_scan_batches(
            uow=container.uow(), clock=container.clock, jurisdiction="330100", batches=[]
        )


def test_a_batch_sent_twice_is_first_once_and_an_unknown_device_is_named(
    container: Container,
) -> None:
    """A batch twice in a call is first once, then never; an unknown device names its batch."""
    c = city(container)
    here = device(container, c.restaurant)
    a = person(container, 1)
    batch = here.batch([scan(1, a, T0 - timedelta(minutes=10))])

    def upload(*batches: dict[str, object]) -> list[bool]:
        receipts = upload_scan_batches(
            uow=container.uow(), clock=container.clock, jurisdiction="330100", batches=batches
        )
        return [r.first_time for r in receipts]

    assert upload(batch, batch) == [True, False]
    assert upload(batch) == [False]
    unknown = {**batch, "device": "dev-unknown"}
    with pytest.raises(InvalidInput) as refused:
        upload(batch, unknown)
    assert [p.field for p in refused.value.problems] == ["batches[1].device"]
    assert _count(container, a) == 1
