"""0019 adds the instance state (collecting or retired) to a database holding records: they
stay, the instance reads as collecting, and the table goes on downgrade."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.engine import build_engine, build_session_factory
from healthcode.db.migrate import alembic_config, upgrade
from healthcode.db.types import UTCDateTime
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.kernel.uow import EventHandlers
from healthcode.oversight.instance import InstanceState, Phase
from healthcode.policies.repository import ParsedPolicyCache

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


def test_upgrading_adds_a_collecting_instance_state(empty_database_url: str) -> None:
    """A database at 0018 reads as collecting after 0019, keeps a retired state, and drops it."""
    engine = build_engine(empty_database_url)
    cipher = PersonalDataCipher(b"\x07" * 32)
    try:
        upgrade(engine, "0018")
        purges = sa.table(
            "purges", sa.column("at", UTCDateTime()), sa.column("kind"), sa.column("count")
        )
        with engine.begin() as conn:
            conn.execute(sa.insert(purges), [{"at": T0, "kind": "presences", "count": 3}])
        upgrade(engine, cipher=cipher)
        factory = build_session_factory(engine)
        with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
            assert not uow.instance.get().retired
            uow.instance.save(InstanceState(phase=Phase.RETIRED, changed_at=T0, proposal="p1"))
            uow.commit()
        with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
            state = uow.instance.get()
        assert (state.phase, state.changed_at, state.proposal) == (Phase.RETIRED, T0, "p1")
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as connection:
            config.attributes.update(connection=connection)
            command.downgrade(config, "0018")
        assert "instance_state" not in sa.inspect(engine).get_table_names()
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM purges")) == 1
    finally:
        engine.dispose()
