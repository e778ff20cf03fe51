"""0017 adds the record of retention purges to a database holding data, and takes it away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command

from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.engine import build_engine, build_session_factory
from healthcode.db.migrate import alembic_config, upgrade
from healthcode.db.types import UTCDateTime
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.kernel.uow import EventHandlers
from healthcode.policies.repository import ParsedPolicyCache

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


def test_upgrading_keeps_the_break_glass_log_and_adds_purge_records(
    empty_database_url: str,
) -> None:
    """A break-glass use stored at 0015 stays; purges are recorded, and dropped on downgrade."""
    engine = build_engine(empty_database_url)
    cipher = PersonalDataCipher(b"\x05" * 32)
    try:
        upgrade(engine, "0015")
        uses = sa.table(
            "break_glass_uses",
            *(sa.column(c) for c in ("operator", "what", "people")),
            sa.column("at", UTCDateTime()),
            sa.column("reason_enc", sa.LargeBinary()),
        )
        with engine.begin() as conn:
            conn.execute(
                sa.insert(uses),
                [
                    {
                        "operator": "console:ops",
                        "what": "status",
                        "people": 3,
                        "at": T0,
                        "reason_enc": cipher.encrypt("flood", context="break_glass:reason"),
                    }
                ],
            )
        upgrade(engine, cipher=cipher)
        factory = build_session_factory(engine)
        with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
            uow.retention.record_purge(at=T0, counts={"presences": 4, "checkins": 0})
            uow.commit()
        with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
            purged = uow.transparency.purged(T0, T0 + timedelta(seconds=1))
            glass = uow.transparency.break_glass(T0, T0 + timedelta(seconds=1))
        assert dict(purged) == {"presences": 4}
        assert glass == [("status", 3)]
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as connection:
            config.attributes.update(connection=connection)
            command.downgrade(config, "0015")
        assert "purges" not in sa.inspect(engine).get_table_names()
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM break_glass_uses")) == 1
    finally:
        engine.dispose()
