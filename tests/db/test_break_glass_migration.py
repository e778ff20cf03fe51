"""0014 adds the break-glass log, a device's revocation time and a channel's last rotation to
a database holding devices and channels."""

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
WEBHOOK_SECRET = "a webhook secret"


def _table(name: str, *columns: str, **typed: sa.types.TypeEngine[object]) -> sa.TableClause:
    return sa.table(
        name, *(sa.column(c) for c in columns), *(sa.column(c, t) for c, t in typed.items())
    )


def _fill_at_0012(engine: sa.Engine, cipher: PersonalDataCipher) -> None:
    at = UTCDateTime()
    with engine.begin() as conn:
        conn.execute(
            sa.insert(_table("organisations", "id", "name", "jurisdiction", created_at=at)),
            [{"id": "g" * 32, "name": "org", "jurisdiction": "330100", "created_at": T0}],
        )
        venue = _table(
            "venues",
            *("id", "name_zh", "name_en", "kind", "lat", "lon", "cell", "organisation_id"),
            *("jurisdiction", "place_code"),
            created_at=at,
            code_issued_at=at,
        )
        conn.execute(
            sa.insert(venue),
            [
                {
                    "id": "v" * 32,
                    "name_zh": "楼外楼",
                    "name_en": "Louwailou",
                    "kind": "restaurant",
                    "lat": 30.25,
                    "lon": 120.14,
                    "cell": "8830e1d8dffffff",
                    "organisation_id": "g" * 32,
                    "jurisdiction": "330100",
                    "place_code": "HZP1:x",
                    "created_at": T0,
                    "code_issued_at": T0,
                }
            ],
        )
        device = _table(
            "devices", "id", "venue_id", "active", public_key=sa.LargeBinary(), registered_at=at
        )
        conn.execute(
            sa.insert(device),
            [
                {
                    "id": "d" * 16,
                    "venue_id": "v" * 32,
                    "active": True,
                    "public_key": b"\x01" * 32,
                    "registered_at": T0,
                }
            ],
        )
        channel = _table(
            "channels",
            *("id", "name", "kind", "public_key_pem", "client_secret_hash", "webhook_url"),
            "active",
            webhook_secret_enc=sa.LargeBinary(),
            created_at=at,
        )
        conn.execute(
            sa.insert(channel),
            [
                {
                    "id": "alipay-1",
                    "name": "alipay",
                    "kind": "app",
                    "public_key_pem": "pem",
                    "client_secret_hash": "0" * 64,
                    "webhook_url": "http://127.0.0.1:9/hook",
                    "active": True,
                    "webhook_secret_enc": cipher.encrypt(
                        WEBHOOK_SECRET, context="channel:alipay-1:webhook_secret"
                    ),
                    "created_at": T0,
                }
            ],
        )


def test_upgrading_keeps_devices_and_channels_and_adds_the_break_glass_log(
    empty_database_url: str,
) -> None:
    """Devices and channels stored before 0014 read back whole, and after a downgrade too."""
    engine = build_engine(empty_database_url)
    cipher = PersonalDataCipher(b"\x04" * 32)
    try:
        upgrade(engine, "0012")
        _fill_at_0012(engine, cipher)
        upgrade(engine, cipher=cipher)
        factory = build_session_factory(engine)
        with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
            device = uow.venues.device("d" * 16)
            channel = uow.channels.get("alipay-1")
            uow.break_glass.add(
                at=T0, operator="console:ops", what="status", people=1, reason="the flood"
            )
            uow.commit()
        with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
            uses = uow.break_glass.between(T0, T0 + timedelta(seconds=1))
        assert device is not None and (device.active, device.revoked_at) == (True, None)
        assert channel is not None and channel.secrets_rotated_at is None
        assert channel.webhook_secret == WEBHOOK_SECRET
        assert [(u.operator, u.reason) for u in uses] == [("console:ops", "the flood")]
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as connection:
            config.attributes.update(connection=connection)
            command.downgrade(config, "0012")
        inspector = sa.inspect(engine)
        assert "break_glass_uses" not in inspector.get_table_names()
        assert "revoked_at" not in {c["name"] for c in inspector.get_columns("devices")}
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM devices")) == 1
    finally:
        engine.dispose()
