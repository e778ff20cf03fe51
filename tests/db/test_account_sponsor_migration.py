"""0012 adds who sponsored an account and a proposer's account to a database holding data."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.engine import build_engine, build_session_factory
from healthcode.db.migrate import upgrade
from healthcode.db.types import UTCDateTime
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.kernel.uow import EventHandlers
from healthcode.policies.repository import ParsedPolicyCache

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _officials(at: UTCDateTime) -> sa.TableClause:
    return sa.table(
        "officials",
        *(sa.column(c) for c in ("id", "username", "role", "jurisdiction", "password_hash")),
        *(sa.column(c) for c in ("totp_last_step", "active")),
        sa.column("totp_secret_enc", sa.LargeBinary()),
        sa.column("created_at", at),
    )


def _proposals(at: UTCDateTime) -> sa.TableClause:
    return sa.table(
        "proposals",
        *(sa.column(c) for c in ("id", "kind", "jurisdiction", "status")),
        *(sa.column(c) for c in ("proposed_by", "proposed_by_role")),
        *(sa.column(c, sa.LargeBinary()) for c in ("payload_enc", "reason_enc")),
        sa.column("decision_note_enc", sa.LargeBinary()),
        sa.column("proposed_at", at),
    )


def _fill_at_0009(engine: sa.Engine, cipher: PersonalDataCipher) -> None:
    at, pid = UTCDateTime(), "a" * 32
    with engine.begin() as conn:
        conn.execute(
            sa.insert(_officials(at)),
            [
                {
                    "id": "o" * 32,
                    "username": "root",
                    "role": "admin",
                    "jurisdiction": "330100",
                    "password_hash": "$argon2id$placeholder",
                    "totp_last_step": 7,
                    "active": True,
                    "totp_secret_enc": cipher.encrypt(SECRET, context=f"official:{'o' * 32}:totp"),
                    "created_at": T0,
                }
            ],
        )
        sealed = {
            f: cipher.encrypt(text, context=f"proposal:{pid}:{f}")
            for f, text in (
                ("payload", json.dumps({"subject": "s"})),
                ("reason", "fever"),
                ("decision_note", ""),
            )
        }
        conn.execute(
            sa.insert(_proposals(at)),
            [
                {
                    "id": pid,
                    "kind": "override_colour",
                    "jurisdiction": "330100",
                    "status": "pending",
                    "proposed_by": "wang",
                    "proposed_by_role": "official",
                    "payload_enc": sealed["payload"],
                    "reason_enc": sealed["reason"],
                    "decision_note_enc": cipher.encrypt(
                        "", context=f"proposal:{pid}:decision_note"
                    ),
                    "proposed_at": T0,
                }
            ],
        )


def test_upgrading_keeps_accounts_and_proposals_without_a_sponsor(
    empty_database_url: str,
) -> None:
    """Accounts and proposals stored before 0012 read back whole, with no sponsor recorded."""
    engine = build_engine(empty_database_url)
    cipher = PersonalDataCipher(b"\x03" * 32)
    try:
        upgrade(engine, "0009")
        _fill_at_0009(engine, cipher)
        upgrade(engine, cipher=cipher)
        factory = build_session_factory(engine)
        with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
            official = uow.officials.by_username("root")
            proposal = uow.proposals.get("a" * 32)
        assert official is not None and proposal is not None
        assert (official.totp_secret, official.totp_last_step) == (SECRET, 7)
        assert official.sponsored_by is None and proposal.proposer_sponsor is None
        assert dict(proposal.payload) == {"subject": "s"} and proposal.reason == "fever"
    finally:
        engine.dispose()
