"""The issue's test: after a sunset no table holds a name, ID number, phone, address, presence
or location, and the final transparency report is intact; during the grace period new data is
refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from healthcode.container import Container
from healthcode.db.engine import build_engine
from healthcode.db.schema import metadata
from healthcode.oversight import proposals
from healthcode.oversight.access import Principal
from healthcode.oversight.instance import SystemRetired
from healthcode.presence.scans import upload_scans
from healthcode.status.declarations import declare_health, declare_travel
from healthcode.sunset.purge import final_report, purge_if_due
from healthcode.worker import Worker
from identity_helpers import add_test_official, principal
from presence_helpers import WEST_LAKE, check_in_at, city, device, person, scan

NAME, ADDRESS = "张三丰", "杭州市西湖区文三路1号"  # factories.registration's
# what stays, pseudonymous: the hash-chained access log and the officials' proposals
KEPT_WITH_SUBJECTS = {"access_audit", "proposals", "break_glass_uses"}


def _retire(container: Container, grace_days: int) -> None:
    for name, role in [("ada", "admin"), ("bo", "admin"), ("cy", "auditor")]:
        add_test_official(container, name, role)
    who: dict[str, Principal] = {n: principal(container, n) for n in ("ada", "bo", "cy")}
    kinds, clock = container.proposal_kinds, container.clock
    made = proposals.propose(
        uow=container.uow(),
        clock=clock,
        kinds=kinds,
        principal=who["ada"],
        action="sunset",
        payload={"grace_days": grace_days},
        reason="the emergency is over",
    )
    for name in ("bo", "cy"):
        proposals.approve(
            uow=container.uow(), clock=clock, kinds=kinds, principal=who[name], proposal_id=made.id
        )


def _collect(container: Container) -> list[str]:
    """People with a declaration, a travel, a check-in and a scanned presence each."""
    c = city(container)
    kit = device(container, c.bus)
    subjects = [person(container, seq) for seq in (1, 2)]
    now = container.clock.now()
    for i, subject in enumerate(subjects):
        declare_health(uow=container.uow(), clock=container.clock, subject=subject, temperature=37)
        declare_travel(
            uow=container.uow(),
            clock=container.clock,
            subject=subject,
            place="310101",
            from_date=(now - timedelta(days=3)).date(),
            to_date=(now - timedelta(days=2)).date(),
        )
        check_in_at(container, subject, c.restaurant.place_code, WEST_LAKE)
        upload_scans(
            uow=container.uow(),
            clock=container.clock,
            jurisdiction="330100",
            batch=kit.batch([scan(i + 1, subject, now - timedelta(minutes=5))]),
        )
    return subjects


def _tables(database_url: str) -> dict[str, list[dict[str, Any]]]:
    engine = build_engine(database_url)
    try:
        with engine.connect() as conn:
            return {
                t.name: [dict(r._mapping) for r in conn.execute(sa.select(t))]
                for t in metadata().sorted_tables
            }
    finally:
        engine.dispose()


def _holding(tables: dict[str, list[dict[str, Any]]], needles: list[str]) -> set[str]:
    """Tables with a row whose text or bytes contain any of ``needles``, or about a person."""
    found = set()
    for name, rows in tables.items():
        for row in rows:
            text = " ".join(
                v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                for v in row.values()
            )
            if any(n in text for n in needles) or (
                name not in KEPT_WITH_SUBJECTS and row.get("subject") is not None
            ):
                found.add(name)
    return found


def test_after_a_sunset_no_table_holds_a_person_and_the_report_is_intact(
    container: Container, database_url: str
) -> None:
    """The purge after the grace period empties every table of people, presence and location."""
    subjects = _collect(container)
    needles = [*subjects, NAME, ADDRESS, "13900000001", "13900000002"]
    before = _tables(database_url)
    assert {"persons", "presences", "checkins", "travel_declarations", "scan_batches"} <= {
        name for name, rows in before.items() if rows
    }
    assert "persons" in _holding(before, needles)
    _retire(container, grace_days=30)
    assert purge_if_due(uow=container.uow(), clock=container.clock) is None  # grace period
    container.clock.advance(timedelta(days=30))  # type: ignore[attr-defined]
    deleted = purge_if_due(uow=container.uow(), clock=container.clock)
    assert deleted is not None and deleted["persons"] == 2 and deleted["presences"] >= 4
    after = _tables(database_url)
    for name in ("persons", "presences", "checkins", "travel_declarations", "arrivals"):
        assert after[name] == [], name
    assert after["scan_batches"] == [] and after["outgoing_texts"] == []
    assert _holding(after, needles) == set()
    report = final_report(uow=container.uow())
    assert report is not None and report["held"]["people"] == 2
    assert purge_if_due(uow=container.uow(), clock=container.clock) is None  # once only
    assert final_report(uow=container.uow()) == report


def test_during_the_grace_period_no_data_is_collected(container: Container) -> None:
    """Check-ins, scan batches and travel declarations of a retired instance are refused."""
    c = city(container)
    kit = device(container, c.bus)
    subject = person(container, 1)
    _retire(container, grace_days=30)
    now = container.clock.now()
    with pytest.raises(SystemRetired):
        check_in_at(container, subject, c.restaurant.place_code, WEST_LAKE)
    with pytest.raises(SystemRetired):
        upload_scans(
            uow=container.uow(),
            clock=container.clock,
            jurisdiction="330100",
            batch=kit.batch([scan(1, subject, now - timedelta(minutes=5))]),
        )
    with pytest.raises(SystemRetired):
        declare_travel(
            uow=container.uow(),
            clock=container.clock,
            subject=subject,
            place="310101",
            from_date=now.date(),
            to_date=now.date(),
        )


def test_the_worker_purges_a_retired_instance_after_its_grace_period(
    container: Container,
) -> None:
    """The worker's pass keeps people during the grace period and purges them after it."""
    subject = person(container, 1)
    _retire(container, grace_days=1)
    worker = Worker(uow_factory=container.uow, clock=container.clock, kinds=container.job_kinds)
    worker.run_once()
    with container.uow() as uow:
        assert uow.persons.get(subject) is not None
    container.clock.advance(timedelta(days=1, hours=1))  # type: ignore[attr-defined]
    worker.run_once()
    with container.uow() as uow:
        assert uow.persons.get(subject) is None
        assert uow.instance.get().purged_at == container.clock.now()
    assert final_report(uow=container.uow()) is not None
