"""Checkpoint scans on both databases: signed batches, idempotent uploads, fevers, refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from healthcode.container import Container
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import Colour, FactKind
from healthcode.presence.scans import upload_scans
from healthcode.status.assessment import current_status
from presence_helpers import T0, city, device, person, scan


def _upload(container: Container, body: dict[str, object]):  # type: ignore[no-untyped-def]
    return upload_scans(
        uow=container.uow(), clock=container.clock, jurisdiction="330100", batch=body
    )


def _presences(container: Container, subject: str) -> list[object]:
    with container.uow() as uow:
        return list(uow.facts.for_subject(subject, kinds=[FactKind.PRESENCE]))


def test_a_signed_batch_becomes_presences_at_the_venue(container: Container) -> None:
    """Each scan of a batch is a presence at the device's venue, source scan."""
    c = city(container)
    kit = device(container, c.restaurant)
    a, b = person(container, 1), person(container, 2)
    receipt = _upload(
        container,
        kit.batch([scan(1, a, T0 - timedelta(minutes=5)), scan(2, b, T0 - timedelta(minutes=4))]),
    )
    assert (receipt.scans, receipt.stored, receipt.duplicates) == (2, 2, 0)
    [presence] = _presences(container, a)
    assert presence.place_id == c.restaurant.id  # type: ignore[attr-defined]
    assert presence.source == "scan"  # type: ignore[attr-defined]
    assert presence.cell == c.restaurant.cell  # type: ignore[attr-defined]


def test_a_batch_sent_twice_or_a_scan_in_two_batches_is_stored_once(container: Container) -> None:
    """Re-uploading a batch, or a scan again in a later batch, stores nothing new."""
    c = city(container)
    kit = device(container, c.restaurant)
    a = person(container)
    first = kit.batch([scan(1, a, T0), scan(2, a, T0)])
    assert _upload(container, first).stored == 2
    again = _upload(container, first)
    assert (again.stored, again.duplicates, again.first_time) == (0, 2, False)
    overlap = _upload(container, kit.batch([scan(2, a, T0), scan(3, a, T0)]))
    assert (overlap.stored, overlap.duplicates) == (1, 1)
    assert len(_presences(container, a)) == 3


def test_fever_at_a_checkpoint_is_a_health_fact_that_turns_the_code_yellow(
    container: Container,
) -> None:
    """A scan with 37.8 °C becomes a fever declaration (once) and the person's status changes."""
    c = city(container)
    kit = device(container, c.restaurant)
    a = person(container)
    body = kit.batch([scan(1, a, T0, outcome="stop", reason="fever", temperature=37.8)])
    assert _upload(container, body).fevers == 1
    assert _upload(container, body).fevers == 0
    with container.uow() as uow:
        [declaration] = uow.facts.for_subject(a, kinds=[FactKind.HEALTH_DECLARATION])
    assert declaration.temperature == 37.8  # type: ignore[attr-defined]
    status = current_status(uow=container.uow(), clock=container.clock, subject=a)
    assert status.colour is Colour.YELLOW


def test_bad_signature_unknown_device_and_bad_items_refuse_the_whole_batch(
    container: Container,
) -> None:
    """Any bad item refuses the batch with the item named, and nothing at all is stored."""
    c = city(container)
    kit = device(container, c.restaurant)
    a = person(container)
    good = scan(1, a, T0)
    body = kit.batch([good])
    forged = {**body, "scans": [{**body["scans"][0], "subject": person(container, 2)}]}  # type: ignore[index]
    with pytest.raises(InvalidInput, match="signature: does not verify"):
        _upload(container, forged)
    with pytest.raises(InvalidInput, match=r"device: \w+ is not a registered device"):
        _upload(container, {**body, "device": "00" * 8})
    bad = kit.batch(
        [
            good,
            scan(2, a, T0 + timedelta(hours=1)),
            scan(3, a, T0 - timedelta(days=30)),
            scan(4, "0" * 32, T0),
        ]
    )
    with pytest.raises(InvalidInput) as refused:
        _upload(container, bad)
    assert [str(p) for p in refused.value.problems] == [
        "scans[1].at: is in the future",
        "scans[2].at: is older than the retention window of 21 days",
    ]
    stranger = kit.batch([good, scan(5, "0" * 32, T0), scan(6, "f" * 32, T0)])
    with pytest.raises(InvalidInput) as refused:
        _upload(container, stranger)
    assert [str(p) for p in refused.value.problems] == [
        "scans[1].subject: is not a registered person here",
        "scans[2].subject: is not a registered person here",
    ]
    malformed = {**body, "scans": [{"seq": -1, "subject": "", "at": "yesterday"}]}
    with pytest.raises(InvalidInput) as refused:
        _upload(container, malformed)
    assert {p.field for p in refused.value.problems} >= {
        "scans[0].seq",
        "scans[0].subject",
        "scans[0].at",
        "scans[0].outcome",
        "scans[0].issuer",
    }
    assert _presences(container, a) == []


def test_foreign_codes_are_counted_not_stored_and_rides_carry_the_vehicle(
    container: Container,
) -> None:
    """A Shanghai code is counted as foreign; a scan on bus 7 vehicle 浙A1234 is on that trip."""
    c = city(container)
    kit = device(container, c.bus)
    a = person(container)
    receipt = _upload(
        container,
        kit.batch([scan(1, "visitor-1", T0, issuer="310000"), scan(2, a, T0, vehicle="浙A1234")]),
    )
    assert (receipt.stored, receipt.foreign) == (1, 1)
    [presence] = _presences(container, a)
    assert presence.place_id == f"{c.bus.id}:浙A1234"  # type: ignore[attr-defined]


def test_a_scan_uploaded_by_two_racing_requests_is_stored_once(container: Container) -> None:
    """Two simultaneous uploads of the same scan store it once."""
    # On PostgreSQL the losing request falls back from COPY to INSERT … ON CONFLICT;
    # SQLite has one writer.
    import threading

    c = city(container)
    kit = device(container, c.restaurant)
    a = person(container)
    body = kit.batch([scan(1, a, T0), scan(2, a, T0)])
    results: list[int] = []
    barrier = threading.Barrier(2)

    def upload() -> None:
        barrier.wait()
        results.append(_upload(container, body).stored)

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 2]
    assert len(_presences(container, a)) == 2


def test_a_resent_scan_beside_an_unregistered_subject_still_names_the_subject(
    container: Container,
) -> None:
    """A batch of a resent scan and an unknown subject is refused, naming it, storing nothing."""
    # On PostgreSQL this takes the fallback path after a unique violation.
    c = city(container)
    kit = device(container, c.restaurant)
    a = person(container)
    assert _upload(container, kit.batch([scan(1, a, T0)])).stored == 1
    with pytest.raises(InvalidInput) as refused:
        _upload(container, kit.batch([scan(1, a, T0), scan(2, a, T0), scan(3, "0" * 32, T0)]))
    assert [str(p) for p in refused.value.problems] == [
        "scans[2].subject: is not a registered person here"
    ]
    assert len(_presences(container, a)) == 1
