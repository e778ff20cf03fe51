"""0020 adds the federation's tables to a database holding records: they stay, a peer can be
added and its list held, and the tables go on downgrade."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.engine import build_engine, build_session_factory
from healthcode.db.migrate import alembic_config, upgrade
from healthcode.db.types import UTCDateTime
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.federation.model import HeldList, NewPeer, Outcome
from healthcode.kernel.uow import EventHandlers
from healthcode.policies.repository import ParsedPolicyCache

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
TABLES = {"federation_peers", "federation_peer_lists", "federation_sync_counts"}


def test_upgrading_adds_the_peers_tables(empty_database_url: str) -> None:
    """A database at 0019 keeps its records after 0020, holds a peer, and drops it on downgrade."""
    engine = build_engine(empty_database_url)
    cipher = PersonalDataCipher(b"\x07" * 32)
    try:
        upgrade(engine, "0019")
        purges = sa.table(
            "purges", sa.column("at", UTCDateTime()), sa.column("kind"), sa.column("count")
        )
        with engine.begin() as conn:
            conn.execute(sa.insert(purges), [{"at": T0, "kind": "presences", "count": 3}])
        upgrade(engine, cipher=cipher)
        factory = build_session_factory(engine)
        with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
            uow.peers.add(NewPeer("310000", "https://sh.example", b"\x01" * 32), at=T0, by="a")
            held = HeldList("{}", 2**40, T0, T0)  # a sequence past 32 bits
            uow.peers.hold("310000", held, root_public_key=b"\x01" * 32)
            uow.peers.record_attempt("310000", outcome=Outcome.ACCEPTED, at=T0, error=None)
            uow.commit()
        with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
            (peer,) = uow.peers.all()
            counts = uow.peers.outcome_counts()
        assert peer.held == held and peer.last_success_at == T0
        assert counts == {("310000", "accepted"): 1}
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as connection:
            config.attributes.update(connection=connection)
            command.downgrade(config, "0019")
        assert not TABLES & set(sa.inspect(engine).get_table_names())
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM purges")) == 1
    finally:
        engine.dispose()
