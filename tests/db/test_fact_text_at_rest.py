"""The free text typed into facts (a health declaration's note, a quarantine order's reason, a
manual override's reason text, a release's reason) is stored encrypted, and so is the status
that quotes it: the raw rows do not hold it, every read path gives it back as typed, and a
value moved to another fact is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import text

from healthcode.container import Container
from healthcode.kernel.facts import (
    Colour,
    Fact,
    FactKind,
    ManualOverride,
    QuarantineOrder,
    Release,
)
from healthcode.status.assessment import refresh_status
from healthcode.status.declarations import declare_health
from tracing_helpers import resident

NOTE = "cough since Monday, call my wife 13900004444"
ORDER_REASON = "close contact of Zhang San 13900005555"
OVERRIDE_REASON = "fever clinic, Dr Li 13900006666"
RELEASE_REASON = "negative PCR, released by Wang Wu 13900007777"
PHONES = ("13900004444", "13900005555", "13900006666", "13900007777")
TABLES = ("health_declarations", "quarantine_orders", "manual_overrides", "releases")


def _raw(container: Container, table: str) -> bytes:
    """Every value of every row of ``table`` as the database hands it over, as bytes."""
    with container.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608 - a fixed name
    return b" ".join(
        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
        for row in rows
        for v in row
    )


def _facts(container: Container, subject: str) -> list[Fact]:
    """An order and an override written one by one, a release written in bulk."""
    now = container.clock.now()
    base = {"subject": subject, "at": now, "recorded_at": now}
    order = QuarantineOrder(
        id="q" * 32,
        **base,
        order_id="o-1",
        setting="home",
        planned_end=now + timedelta(days=7),
        reason=ORDER_REASON,
    )
    override = ManualOverride(
        id="m" * 32,
        **base,
        colour=Colour.YELLOW,
        reason_category="clinic",
        reason_text=OVERRIDE_REASON,
        expires_at=now + timedelta(days=1),
    )
    release = Release(id="r" * 32, **base, rules=("fever",), reason=RELEASE_REASON)
    with container.uow() as uow:
        uow.facts.add(order)
        uow.facts.add(override)
        uow.status_batch.add_facts([release])
        uow.commit()
    return [order, override, release]


def test_fact_free_text_is_not_stored_in_clear(container: Container) -> None:
    """No phone number typed into a note or reason appears in the raw fact rows."""
    subject = resident(container, 1)
    declare_health(
        uow=container.uow(), clock=container.clock, subject=subject, temperature=36.6, note=NOTE
    )
    _facts(container, subject)
    stored = b" ".join(_raw(container, table) for table in TABLES)
    for phone in PHONES:
        assert phone.encode() not in stored
    assert NOTE.encode() not in stored


def test_a_status_quoting_an_override_reason_is_not_stored_in_clear(container: Container) -> None:
    """The override's reason is in the status's reason text, not in the raw status rows."""
    subject = resident(container, 1)
    _facts(container, subject)
    with container.uow() as uow:
        refresh_status(uow, clock=container.clock, subject=subject, cause="override")
        uow.commit()
    stored = _raw(container, "current_statuses") + _raw(container, "status_changes")
    assert b"13900006666" not in stored and OVERRIDE_REASON.encode() not in stored
    with container.uow() as uow:
        current, history = uow.statuses.current(subject), uow.statuses.changes(subject)
    assert current is not None and current.colour is Colour.YELLOW
    assert any(OVERRIDE_REASON in text for r in current.reasons for text in r.text.values())
    assert history[-1].status == current and history[-1].cause == "override"


def test_every_read_path_gives_the_text_back(container: Container) -> None:
    """Facts of a subject, in bulk, in a batch and tracing's order list read the text typed."""
    subject = resident(container, 1)
    declared = declare_health(
        uow=container.uow(), clock=container.clock, subject=subject, temperature=36.6, note=NOTE
    )
    written = [declared, *_facts(container, subject)]
    kinds = [FactKind.HEALTH_DECLARATION, *(f.kind for f in written[1:])]
    with container.uow() as uow:
        one = uow.facts.for_subject(subject, kinds=kinds)
        bulk = uow.facts.by_subject([subject])[subject]
        batch = uow.status_batch.facts([subject], kinds)[subject]
        orders = uow.tracing.quarantine_orders("330100", at=container.clock.now())
    for found in (one, bulk, batch):
        assert sorted(found, key=lambda f: f.id) == sorted(written, key=lambda f: f.id)
    assert [o.reason for o in orders] == [ORDER_REASON]


def test_a_reason_moved_to_another_fact_does_not_decrypt(container: Container) -> None:
    """A release's reason copied into another release's row is refused (bound to its fact)."""
    subject = resident(container, 1)
    _facts(container, subject)
    now = container.clock.now()
    with container.uow() as uow:
        uow.facts.add(Release(id="s" * 32, subject=subject, at=now, recorded_at=now, reason=""))
        uow.commit()
    with container.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE releases SET reason_enc = "
                "(SELECT reason_enc FROM releases WHERE id = :a) WHERE id = :b"
            ),
            {"a": "r" * 32, "b": "s" * 32},
        )
    with container.uow() as uow, pytest.raises(InvalidTag):
        uow.facts.for_subject(subject, kinds=[FactKind.RELEASE])
