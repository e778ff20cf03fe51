"""0018 adds a proposal's people touched, bulk flag and first approval to a database holding
proposals, and takes them away."""

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
from healthcode.oversight.model import ProposalStatus
from healthcode.policies.repository import ParsedPolicyCache

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)


def _seal(cipher: PersonalDataCipher, field: str, text: str) -> bytes:
    return cipher.encrypt(text, context=f"proposal:p1:{field}")


def test_upgrading_keeps_proposals_and_adds_bulk_columns(empty_database_url: str) -> None:
    """A proposal stored at 0017 reads back as not bulk; the columns go on downgrade."""
    engine = build_engine(empty_database_url)
    cipher = PersonalDataCipher(b"\x06" * 32)
    try:
        upgrade(engine, "0017")
        names = ("id", "kind", "jurisdiction", "proposed_by", "proposed_by_role", "status")
        rows = sa.table(
            "proposals",
            *(sa.column(c) for c in names),
            sa.column("proposed_at", UTCDateTime()),
            *(sa.column(c, sa.LargeBinary()) for c in ("payload_enc", "reason_enc")),
            sa.column("decision_note_enc", sa.LargeBinary()),
        )
        with engine.begin() as conn:
            conn.execute(
                sa.insert(rows),
                [
                    {
                        "id": "p1",
                        "kind": "declare_risk_area",
                        "jurisdiction": "330100",
                        "proposed_by": "wang",
                        "proposed_by_role": "official",
                        "status": "pending",
                        "proposed_at": T0,
                        "payload_enc": _seal(cipher, "payload", "{}"),
                        "reason_enc": _seal(cipher, "reason", "cluster at a market"),
                        "decision_note_enc": _seal(cipher, "decision_note", ""),
                    }
                ],
            )
        upgrade(engine, cipher=cipher)
        factory = build_session_factory(engine)
        with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
            kept = uow.proposals.get("p1")
            bulk = uow.transparency.bulk_proposals(T0, T0 + timedelta(seconds=1))
        assert kept is not None
        assert (kept.status, kept.reason, kept.people, kept.bulk) == (
            ProposalStatus.PENDING,
            "cluster at a market",
            None,
            False,
        )
        assert (kept.first_approved_by, kept.first_approval_note) == (None, "")
        assert bulk == []
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as connection:
            config.attributes.update(connection=connection)
            command.downgrade(config, "0017")
        columns = {c["name"] for c in sa.inspect(engine).get_columns("proposals")}
        assert "bulk" not in columns and "first_approved_by" not in columns
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM proposals")) == 1
    finally:
        engine.dispose()
