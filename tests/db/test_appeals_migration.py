"""0013 adds the appeals table to a database holding people; an appeal of one of them is
then stored and read back whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from healthcode.appeals.model import Appeal
from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.engine import build_engine, build_session_factory
from healthcode.db.migrate import upgrade
from healthcode.db.types import UTCDateTime
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.kernel.facts import Colour
from healthcode.kernel.uow import EventHandlers
from healthcode.policies.repository import ParsedPolicyCache

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
SUBJECT = "s" * 32


def _fill_at_0012(engine: sa.Engine, cipher: PersonalDataCipher) -> None:
    text = ("name", "id_number", "phone", "address")
    persons = sa.table(
        "persons",
        *(sa.column(c) for c in ("subject", "jurisdiction", "id_type", "id_lookup")),
        *(sa.column(c) for c in ("phone_lookup", "household", "district", "identity_state")),
        *(sa.column(f"{c}_enc", sa.LargeBinary()) for c in text),
        sa.column("registered_at", UTCDateTime()),
    )
    with engine.begin() as conn:
        conn.execute(
            sa.insert(persons),
            [
                {
                    "subject": SUBJECT,
                    "jurisdiction": "330100",
                    "id_type": "resident_id",
                    "id_lookup": "i" * 64,
                    "phone_lookup": "p" * 64,
                    "household": "h" * 64,
                    "district": "330106",
                    "identity_state": "verified",
                    **{f"{c}_enc": cipher.encrypt("x", context=f"person:{c}") for c in text},
                    "registered_at": T0,
                }
            ],
        )


def test_upgrading_to_0013_keeps_people_and_stores_appeals(empty_database_url: str) -> None:
    """People stored before 0013 stay; an appeal of one of them is stored and read back."""
    engine = build_engine(empty_database_url)
    cipher = PersonalDataCipher(b"\x05" * 32)
    try:
        upgrade(engine, "0012", cipher=cipher)
        _fill_at_0012(engine, cipher)
        upgrade(engine, cipher=cipher)
        factory = build_session_factory(engine)
        filed = Appeal(
            id="a" * 32,
            subject=SUBJECT,
            jurisdiction="330100",
            colour=Colour.RED,
            reason="not mine",
            evidence=None,
            filed_at=T0,
            due_at=T0 + timedelta(hours=6),
        )
        with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
            assert uow.persons.district_of(SUBJECT) == "330106"
            uow.appeals.add(filed)
            uow.commit()
        with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
            assert uow.appeals.get(filed.id) == filed
            assert uow.appeals.counts(T0 + timedelta(hours=7)).overdue == 1
    finally:
        engine.dispose()
