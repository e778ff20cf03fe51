"""0022 adds visitors' presences and the peer messages' tables: a visitor's presence is kept
and read back, and the tables go on downgrade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command

from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.engine import build_engine, build_session_factory
from healthcode.db.migrate import alembic_config, upgrade
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.federation.visitors_model import OutgoingMessage, VisitorPresence
from healthcode.kernel.uow import EventHandlers
from healthcode.policies.repository import ParsedPolicyCache

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
TABLES = {"federation_visitor_presences", "federation_messages_out", "federation_messages_in"}


def test_upgrading_adds_the_visitors_tables(empty_database_url: str) -> None:
    """A database at 0022 keeps a visitor's presence and a message; 0021 drops their tables."""
    engine = build_engine(empty_database_url)
    cipher = PersonalDataCipher(b"\x07" * 32)
    try:
        upgrade(engine, cipher=cipher)
        factory = build_session_factory(engine)
        presence = VisitorPresence(
            id="a" * 32,
            issuer="330100",
            subject="s" * 64,
            place_id="v" * 32 + ":" + "b" * 31,
            place_kind="bus_route",
            place_name="1路公交 (Bus route 1)",
            at=T0,
            until=T0,
            source="scan",
            cell=None,
            recorded_at=T0,
        )
        message = OutgoingMessage(
            id="m" * 32,
            peer="330100",
            kind="visitor_exposure",
            subject="s",
            body={"a": [1]},
            created_at=T0,
        )
        with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
            assert uow.visitors.add_presences([presence, presence]) == 1
            assert uow.visitors.add_outgoing(message) and not uow.visitors.add_outgoing(message)
            uow.commit()
        with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
            found = uow.visitors.presences_at(
                [presence.place_id], start=T0 - timedelta(hours=1), end=T0 + timedelta(hours=1)
            )
            assert found == [presence]
            assert uow.visitors.outgoing(message.id) == message
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as connection:
            config.attributes.update(connection=connection)
            command.downgrade(config, "0021")
        assert not TABLES & set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
