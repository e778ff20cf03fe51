"""Bulk reads and writes straight through the driver, on both databases: what goes in comes
back with its types (aware times, bytes), upserts replace, ids are new, and key lookups find
every key however many there are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Table, select

from healthcode.container import Container
from healthcode.db.bulk import (
    MissingReference,
    insert_many,
    insert_new,
    key_filters,
    next_ids,
    upsert_many,
)
from healthcode.db.facts import PresenceRow
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.identity.tables import PersonRow
from healthcode.status.tables import CurrentStatusRow, StatusChangeRow
from tracing_helpers import resident

CURRENT: Table = CurrentStatusRow.__table__  # type: ignore[assignment]
CHANGES: Table = StatusChangeRow.__table__  # type: ignore[assignment]
PRESENCES: Table = PresenceRow.__table__  # type: ignore[assignment]


def _uow(container: Container) -> SqlUnitOfWork:
    uow = container.uow()
    assert isinstance(uow, SqlUnitOfWork)
    return uow


def _status(subject: str, colour: str, container: Container) -> dict[str, object]:
    return {
        "subject": subject,
        "colour": colour,
        "assessed_at": container.clock.now(),
        "valid_until": None,
        "policy_version": "v1",
        "body_enc": f"{colour} 甲".encode(),
    }


def test_upsert_inserts_then_replaces(container: Container) -> None:
    """A first upsert inserts; a second replaces the other columns and keeps one row."""
    subject = resident(container, 1)
    with _uow(container) as uow:
        upsert_many(uow.session, CURRENT, [_status(subject, "green", container)], key="subject")
        uow.commit()
    later = dict(_status(subject, "red", container))
    later["valid_until"] = container.clock.now() + timedelta(days=14)
    with _uow(container) as uow:
        upsert_many(uow.session, CURRENT, [later], key="subject")
        uow.commit()
    with _uow(container) as uow:
        rows = uow.session.execute(select(CurrentStatusRow)).scalars().all()
        assert [(r.colour, r.valid_until, r.body_enc) for r in rows] == [
            ("red", later["valid_until"], "red 甲".encode())
        ]


def test_inserted_rows_read_back_with_new_ids(container: Container) -> None:
    """Rows inserted with ``next_ids`` get ids after any taken, and read back as written."""
    subject = resident(container, 1)
    at = container.clock.now()
    row = {
        "subject": subject,
        "at": at,
        "recorded_at": at,
        "colour_from": None,
        "colour_to": "green",
        "cause": "first",
        "policy_version": "v1",
        "body_enc": b"v",
    }
    with _uow(container) as uow:
        first = next_ids(uow.session, CHANGES, 2)
        insert_many(uow.session, CHANGES, [{"id": i, **row} for i in first])
        second = next_ids(uow.session, CHANGES, 3)
        insert_many(uow.session, CHANGES, [{"id": i, **row} for i in second])
        uow.commit()
    assert len(set(first + second)) == 5 and min(second) > max(first)
    with _uow(container) as uow:
        found = uow.session.execute(
            select(StatusChangeRow)
            .where(StatusChangeRow.cause == "first")
            .order_by(StatusChangeRow.id)
        )
        rows = found.scalars().all()
        assert [r.id for r in rows] == first + second
        assert {(r.at, r.colour_from, bytes(r.body_enc)) for r in rows} == {(at, None, b"v")}


def test_key_lookups_find_every_key_beyond_one_chunk(container: Container) -> None:
    """Two thousand keys, a few of them real: every real one is found, once."""
    real = [resident(container, i) for i in range(1, 4)]
    keys = [f"{i:032x}" for i in range(2_000)] + real
    with _uow(container) as uow:
        found = [
            subject
            for condition in key_filters(uow.session, PersonRow.subject, keys)
            for subject in uow.session.scalars(select(PersonRow.subject).where(condition))
        ]
    assert sorted(found) == sorted(real)


def _presence(subject: str, key: str, container: Container) -> dict[str, object]:
    at = container.clock.now()
    return {
        "id": key,
        "subject": subject,
        "at": at,
        "recorded_at": at,
        "supersedes": None,
        "retracted": False,
        "place_id": "venue-1",
        "place_kind": "restaurant",
        "until": at,
        "source": "scan",
        "cell": None,
    }


def _presence_ids(container: Container) -> list[tuple[str, str]]:
    with _uow(container) as uow:
        rows = uow.session.execute(select(PresenceRow.id, PresenceRow.subject))
        return sorted((key, subject) for key, subject in rows)


def test_insert_new_skips_rows_held_already_and_counts_the_new(container: Container) -> None:
    """Rows whose key is stored already are left as they are; only the new ones are counted."""
    first, second = resident(container, 1), resident(container, 2)
    with _uow(container) as uow:
        assert insert_new(uow.session, PRESENCES, [_presence(first, "a", container)]) == 1
        uow.commit()
    with _uow(container) as uow:
        rows = [_presence(second, "a", container), _presence(second, "b", container)]
        assert insert_new(uow.session, PRESENCES, rows) == 1
        uow.commit()
    assert _presence_ids(container) == [("a", first), ("b", second)]


def test_a_missing_reference_is_refused_and_its_transaction_keeps_nothing(
    container: Container,
) -> None:
    """A row naming nobody registered raises; left uncommitted, nothing of the call stays."""
    known = resident(container, 1)
    with _uow(container) as uow:
        rows = [_presence(known, "a", container), _presence("f" * 32, "b", container)]
        with pytest.raises(MissingReference):
            insert_new(uow.session, PRESENCES, rows)
    assert _presence_ids(container) == []
