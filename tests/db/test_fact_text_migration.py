"""Migration 0011 encrypts the free text already stored in fact tables, and the stored statuses
that quote it, in place on a database holding data: read back as typed afterwards, refused
without the key, put back by a downgrade."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.engine import build_engine, build_session_factory
from healthcode.db.migrate import alembic_config, upgrade
from healthcode.db.types import UTCDateTime
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.kernel.facts import (
    Colour,
    HealthDeclaration,
    ManualOverride,
    QuarantineOrder,
    Release,
)
from healthcode.kernel.status import Reason, Status
from healthcode.kernel.uow import EventHandlers
from healthcode.policies.repository import ParsedPolicyCache
from healthcode.status.codec import encode

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
SUBJECT = "s" * 32
NOTE = "张三 13812341234 coughing"
DECLARATIONS = 2_345  # more than one chunk of the migration's 1,000 rows
# table: (its free-text field, the text of the row to check, its own columns)
TEXTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "quarantine_orders": (
        "reason",
        "contact of 李四 13812345678",
        {"order_id": "o-1", "setting": "home", "planned_end": T0 + timedelta(days=7)},
    ),
    "manual_overrides": (
        "reason_text",
        "clinic, call 13812349999",
        {
            "colour": "yellow",
            "reason_category": "clinic",
            "expires_at": T0 + timedelta(days=1),
            "proposed_by": "wang",
            "approved_by": "li",
        },
    ),
    "releases": ("reason", "released, 王五 13812340000", {"rules": ["fever"], "approved_by": "li"}),
}


def _table(name: str, columns: list[str]) -> sa.TableClause:
    times = {"at", "recorded_at", "planned_end", "expires_at", "registered_at", "assessed_at"}
    times |= {"valid_until"}
    jsons = {"symptoms", "rules", "body"}
    return sa.table(
        name,
        *(
            sa.column(c, UTCDateTime() if c in times else sa.JSON() if c in jsons else None)
            for c in columns
        ),
    )


OVERRIDDEN = "manual override: clinic, call 13812349999"
STATUS = Status(
    subject=SUBJECT,
    colour=Colour.YELLOW,
    reasons=(
        Reason(
            rule_id="override",
            colour=Colour.YELLOW,
            text={"en": OVERRIDDEN, "zh": OVERRIDDEN},
            fact_ids=("m" * 32,),
            since=T0,
            ends_at=T0 + timedelta(days=1),
            clears_when={},
        ),
    ),
    notices=(),
    valid_until=T0 + timedelta(days=1),
    policy_version="v1",
    assessed_at=T0,
)


def _fact(fact_id: str) -> dict[str, Any]:
    return {
        "id": fact_id,
        "subject": SUBJECT,
        "at": T0,
        "recorded_at": T0,
        "supersedes": None,
        "retracted": False,
    }


@pytest.fixture
def at_0009(empty_database_url: str) -> Iterator[sa.Engine]:
    """A database at 0009 holding a person, many declarations and one fact of each other
    kind with free text naming a person."""
    engine = build_engine(empty_database_url)
    upgrade(engine, "0009")
    person = {
        "subject": SUBJECT,
        "jurisdiction": "330100",
        "id_type": "resident",
        "id_lookup": "i" * 64,
        "phone_lookup": "p" * 64,
        "household": "h" * 64,
        **{f"{f}_enc": b"-" for f in ("name", "id_number", "phone", "address")},
        "registered_at": T0,
    }
    declarations = [
        {**_fact(f"d{i:031d}"), "temperature": 36.6, "symptoms": ["none"], "note": ""}
        for i in range(DECLARATIONS)
    ]
    declarations[-1]["note"] = NOTE
    with engine.begin() as conn:
        conn.execute(sa.insert(_table("persons", list(person))), person)
        conn.execute(sa.insert(_table("health_declarations", list(declarations[0]))), declarations)
        for name, (field, typed, own) in TEXTS.items():
            row = {**_fact(name[0] * 32), field: typed, **own}
            conn.execute(sa.insert(_table(name, list(row))), row)
        change = {
            "subject": SUBJECT,
            "at": T0,
            "recorded_at": T0,
            "colour_from": "green",
            "colour_to": "yellow",
            "cause": f"correction: case {'c' * 32} withdrawn: {NOTE}",
            "policy_version": "v1",
            "body": encode(STATUS),
        }
        conn.execute(sa.insert(_table("status_changes", list(change))), change)
        current = {
            "subject": SUBJECT,
            "colour": "yellow",
            "assessed_at": T0,
            "valid_until": None,
            "policy_version": "v1",
            "body": encode(STATUS),
        }
        conn.execute(sa.insert(_table("current_statuses", list(current))), current)
    try:
        yield engine
    finally:
        engine.dispose()


def _read(engine: sa.Engine, cipher: PersonalDataCipher) -> dict[str, str]:
    """Each fact's free text as the application reads it, by fact id."""
    factory = build_session_factory(engine)
    with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
        facts = uow.facts.for_subject(SUBJECT)
    found: dict[str, str] = {}
    for fact in facts:
        if isinstance(fact, HealthDeclaration):
            found[fact.id] = fact.note
        elif isinstance(fact, QuarantineOrder | Release):
            found[fact.id] = fact.reason
        elif isinstance(fact, ManualOverride):
            found[fact.id] = fact.reason_text
    return found


def test_upgrading_encrypts_the_free_text_of_facts(at_0009: sa.Engine) -> None:
    """After 0011 no byte holds the text nor does a cause quote it; each fact reads as typed."""
    cipher = PersonalDataCipher(b"\x03" * 32)
    upgrade(at_0009, cipher=cipher)
    with at_0009.connect() as conn:
        raw = b"".join(
            bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
            for name in ("health_declarations", *TEXTS, "current_statuses", "status_changes")
            for row in conn.execute(sa.text(f"SELECT * FROM {name}"))  # noqa: S608 - fixed
            for v in row
        )
        cause = conn.scalar(sa.text("SELECT cause FROM status_changes"))
    assert b"1381234" not in raw and NOTE.encode() not in raw
    assert cause == f"correction: case {'c' * 32} withdrawn"
    columns = {c["name"] for c in sa.inspect(at_0009).get_columns("health_declarations")}
    assert "note" not in columns and "note_enc" in columns
    found = _read(at_0009, cipher)
    assert len(found) == DECLARATIONS + len(TEXTS)
    assert found[f"d{DECLARATIONS - 1:031d}"] == NOTE
    assert found["d" + "0" * 31] == ""
    assert {found[name[0] * 32] for name in TEXTS} == {typed for _, typed, _ in TEXTS.values()}
    factory = build_session_factory(at_0009)
    with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
        current, history = uow.statuses.current(SUBJECT), uow.statuses.changes(SUBJECT)
    assert current == STATUS and [h.status for h in history] == [STATUS]


def test_encrypting_facts_without_the_data_key_is_refused(at_0009: sa.Engine) -> None:
    """Migrating stored facts without the key stops before 0011, the text untouched."""
    with pytest.raises(RuntimeError, match="0011 encrypts the free text of health_declarations"):
        upgrade(at_0009)
    with at_0009.connect() as conn:
        assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) != "0011"
        note = conn.scalar(
            sa.text("SELECT note FROM health_declarations WHERE id = :id"),
            {"id": f"d{DECLARATIONS - 1:031d}"},
        )
    assert note == NOTE


def test_downgrading_0011_decrypts_the_fact_text_back(at_0009: sa.Engine) -> None:
    """Downgrading with the key puts text and statuses back in clear, drops used lookups."""
    cipher = PersonalDataCipher(b"\x03" * 32)
    upgrade(at_0009, cipher=cipher)
    config = alembic_config(at_0009.url.render_as_string(hide_password=False))
    with at_0009.begin() as connection:
        config.attributes.update(connection=connection, cipher=cipher)
        command.downgrade(config, "0009")
    with at_0009.connect() as conn:
        notes = conn.execute(sa.text("SELECT note FROM health_declarations")).scalars().all()
        texts = {
            conn.scalar(sa.text(f"SELECT {field} FROM {name}"))  # noqa: S608 - fixed names
            for name, (field, _, _) in TEXTS.items()
        }
        bodies = [
            conn.scalar(sa.select(sa.column("body", sa.JSON())).select_from(sa.table(name)))
            for name in ("current_statuses", "status_changes")
        ]
    assert sorted(notes) == [""] * (DECLARATIONS - 1) + [NOTE]
    assert texts == {typed for _, typed, _ in TEXTS.values()}
    assert bodies == [encode(STATUS)] * 2
    assert not sa.inspect(at_0009).has_table("used_lookups")
