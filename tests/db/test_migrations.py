"""The migrations build exactly the schema the models describe, on both databases, and
upgrade a database holding data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from cryptography.exceptions import InvalidTag

from healthcode.db.encryption import PersonalDataCipher
from healthcode.db.engine import build_engine, build_session_factory
from healthcode.db.migrate import alembic_config, check_collation, code_point_collation, upgrade
from healthcode.db.types import UTCDateTime
from healthcode.db.unit_of_work import SqlUnitOfWork
from healthcode.kernel.uow import EventHandlers
from healthcode.policies.repository import ParsedPolicyCache


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    """Autogenerate finds nothing to add after all migrations ran (no forgotten migration)."""
    command.check(alembic_config(database_url))


def test_the_test_databases_order_text_by_code_point(database_url: str) -> None:
    """`healthcode init` accepts the test databases: SQLite, and PostgreSQL created with C.UTF-8."""
    engine = build_engine(database_url)
    try:
        check_collation(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("collate", "provider", "accepted"),
    [
        ("C", "c", True),
        ("POSIX", "c", True),
        ("C.UTF-8", "c", True),
        ("en_US.UTF-8", "c", False),
        ("C", "i", False),  # an ICU locale orders by its own rules whatever datcollate says
    ],
)
def test_only_code_point_collations_are_accepted(
    collate: str, provider: str, accepted: bool
) -> None:
    """libc C, POSIX and C.* collations order place ids by code point; others, and ICU, not."""
    assert code_point_collation(collate, provider) is accepted


def test_upgrading_moves_webhooks_into_the_queue_and_links_proposals_to_cases(
    empty_database_url: str,
) -> None:
    """Upgrading turns outbox webhooks into webhook jobs and links case proposals to their case."""
    engine = build_engine(empty_database_url)
    upgrade(engine, "0007")
    t0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    at = UTCDateTime()
    channels = sa.table(
        "channels",
        *(sa.column(c) for c in ("id", "name", "kind", "public_key_pem", "client_secret_hash")),
        sa.column("webhook_url"),
        sa.column("webhook_secret_enc", sa.LargeBinary()),
        sa.column("created_at", at),
        sa.column("active", sa.Boolean()),
    )
    outbox = sa.table(
        "outbox",
        *(sa.column(c) for c in ("id", "idempotency_key", "channel_id", "subject", "event")),
        *(sa.column(c) for c in ("body", "status", "attempts", "last_error")),
        *(sa.column(c, at) for c in ("created_at", "next_attempt_at")),
        *(sa.column(c, at) for c in ("claimed_until", "delivered_at")),
    )
    proposals = sa.table(
        "proposals",
        *(sa.column(c) for c in ("id", "kind", "subject", "jurisdiction", "reason", "status")),
        *(sa.column(c) for c in ("proposed_by", "proposed_by_role", "decision_note")),
        sa.column("payload", sa.JSON()),
        sa.column("proposed_at", at),
    )

    def webhook(key: str, status: str, **times: datetime | None) -> dict[str, object]:
        return {
            "id": key.ljust(32, "0"),
            "idempotency_key": f"status-change:{key}:alipay-1",
            "channel_id": "alipay-1",
            "subject": "s" * 32,
            "event": "status.changed",
            "body": "{}",
            "status": status,
            "attempts": 3 if status == "parked" else 1,
            "last_error": "HTTP 503" if status == "parked" else "",
            "created_at": t0,
            "next_attempt_at": times.get("next_attempt_at", t0),
            "claimed_until": times.get("claimed_until"),
            "delivered_at": times.get("delivered_at"),
        }

    def proposal(pid: str, kind: str, payload: dict[str, object]) -> dict[str, object]:
        return {
            "id": pid.ljust(32, "0"),
            "kind": kind,
            "subject": None,
            "jurisdiction": "330100",
            "reason": "r",
            "status": "pending",
            "proposed_by": "wang",
            "proposed_by_role": "official",
            "decision_note": "",
            "payload": payload,
            "proposed_at": t0,
        }

    with engine.begin() as conn:
        conn.execute(
            sa.insert(channels),
            {
                "id": "alipay-1",
                "name": "alipay",
                "kind": "app",
                "public_key_pem": "-",
                "client_secret_hash": "0" * 64,
                "webhook_url": "http://127.0.0.1:9/hook",
                "webhook_secret_enc": b"-",
                "created_at": t0,
                "active": True,
            },
        )
        conn.execute(
            sa.insert(outbox),
            [
                webhook("claimed", "pending", claimed_until=t0 + timedelta(minutes=5)),
                webhook("waiting", "pending", next_attempt_at=t0 + timedelta(minutes=1)),
                webhook("sent", "delivered", delivered_at=t0 + timedelta(seconds=2)),
                webhook("given-up", "parked"),
            ],
        )
        conn.execute(
            sa.insert(proposals),
            [
                proposal("report", "confirm_case", {"case_id": "c" * 32, "subject": "s"}),
                proposal("withdrawal", "withdraw_case", {"case_id": "c" * 32}),
                proposal("override", "override_colour", {"subject": "s"}),
            ],
        )
    cipher = PersonalDataCipher(b"\x01" * 32)
    upgrade(engine, cipher=cipher)
    assert not sa.inspect(engine).has_table("outbox")
    factory = build_session_factory(engine)
    with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
        jobs = {j.dedup_key.split(":")[1]: j for j in uow.jobs.list(kind="webhook")}
        for_case = uow.proposals.for_cases(["c" * 32])["c" * 32]
    engine.dispose()
    assert {k: j.status.value for k, j in jobs.items()} == {
        "claimed": "pending",
        "waiting": "pending",
        "sent": "done",
        "given-up": "failed",
    }
    assert jobs["claimed"].run_after == t0 + timedelta(minutes=5)
    assert jobs["waiting"].run_after == t0 + timedelta(minutes=1)
    assert jobs["sent"].finished_at == t0 + timedelta(seconds=2)
    assert (jobs["given-up"].attempts, jobs["given-up"].last_error) == (3, "HTTP 503")
    assert dict(jobs["claimed"].payload) == {
        "channel_id": "alipay-1",
        "subject": "s" * 32,
        "event": "status.changed",
        "body": "{}",
    }
    assert [p.kind for p in for_case] == ["confirm_case", "withdraw_case"]


FREE_TEXT = "张三 13812341234 tested at ward 3"


def _free_text_at_0008(url: str) -> sa.Engine:
    """A database at 0008 holding two proposals and two cases whose free text names a person."""
    engine = build_engine(url)
    upgrade(engine, "0008")
    at = UTCDateTime()
    t0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    proposals = sa.table(
        "proposals",
        *(sa.column(c) for c in ("id", "kind", "subject", "jurisdiction", "reason", "status")),
        *(sa.column(c) for c in ("proposed_by", "proposed_by_role", "decision_note")),
        sa.column("payload", sa.JSON()),
        sa.column("proposed_at", at),
    )
    persons = sa.table(
        "persons",
        *(sa.column(c) for c in ("subject", "jurisdiction", "id_type", "id_lookup")),
        *(sa.column(c) for c in ("phone_lookup", "household")),
        *(sa.column(c, sa.LargeBinary()) for c in ("name_enc", "id_number_enc", "phone_enc")),
        sa.column("address_enc", sa.LargeBinary()),
        sa.column("registered_at", at),
    )
    cases = sa.table(
        "case_records",
        *(sa.column(c) for c in ("case_id", "subject", "jurisdiction", "classification")),
        *(sa.column(c) for c in ("test_reference", "state", "version", "reported_by")),
        *(sa.column(c) for c in ("withdrawal_reason", "exposures")),
        sa.column("trace_counts", sa.JSON()),
        *(sa.column(c, at) for c in ("sampled_at", "reported_at")),
    )
    row = {
        "kind": "override_colour",
        "subject": "s" * 32,
        "jurisdiction": "330100",
        "status": "approved",
        "proposed_by": "wang",
        "proposed_by_role": "official",
        "payload": {"subject": "s" * 32, "test_reference": "HZ-13812341234"},
        "proposed_at": t0,
    }
    case = {
        "subject": "s" * 32,
        "jurisdiction": "330100",
        "classification": "confirmed",
        "state": "confirmed",
        "version": 1,
        "reported_by": "wang",
        "exposures": 0,
        "trace_counts": {},
        "sampled_at": t0,
        "reported_at": t0,
    }
    with engine.begin() as conn:
        conn.execute(
            sa.insert(proposals),
            [
                {**row, "id": "a" * 32, "reason": FREE_TEXT, "decision_note": "call 13812341234"},
                {**row, "id": "b" * 32, "reason": "fever", "decision_note": ""},
            ],
        )
        conn.execute(
            sa.insert(persons),
            {
                "subject": "s" * 32,
                "jurisdiction": "330100",
                "id_type": "resident",
                "id_lookup": "i" * 64,
                "phone_lookup": "p" * 64,
                "household": "h" * 64,
                "name_enc": b"-",
                "id_number_enc": b"-",
                "phone_enc": b"-",
                "address_enc": b"-",
                "registered_at": t0,
            },
        )
        conn.execute(
            sa.insert(cases),
            [
                {
                    **case,
                    "case_id": "c" * 32,
                    "test_reference": "HZ-PCR-张三-13812341234",
                    "withdrawal_reason": FREE_TEXT,
                },
                {
                    **case,
                    "case_id": "d" * 32,
                    "test_reference": "HZ-PCR-0002",
                    "withdrawal_reason": "",
                },
            ],
        )
    return engine


def test_upgrading_encrypts_the_free_text_of_proposals(empty_database_url: str) -> None:
    """0009 turns stored reasons, notes and test references into ciphertext read back as typed."""
    engine = _free_text_at_0008(empty_database_url)
    cipher = PersonalDataCipher(b"\x02" * 32)
    try:
        upgrade(engine, cipher=cipher)
        with engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT * FROM proposals")).mappings().all()
            stored_cases = conn.execute(sa.text("SELECT * FROM case_records")).mappings().all()
        assert not {"reason", "decision_note", "payload"} & set(stored[0])
        assert "test_reference" not in stored_cases[0]
        assert "withdrawal_reason" not in stored_cases[0]
        raw = b"".join(
            bytes(r[f"{f}_enc"]) for r in stored for f in ("reason", "decision_note", "payload")
        )
        raw += b"".join(
            bytes(r[f"{f}_enc"])
            for r in stored_cases
            for f in ("test_reference", "withdrawal_reason")
        )
        assert b"13812341234" not in raw and FREE_TEXT.encode() not in raw
        factory = build_session_factory(engine)
        with SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow:
            first, second = uow.proposals.get("a" * 32), uow.proposals.get("b" * 32)
            case, other = uow.cases.get("c" * 32), uow.cases.get("d" * 32)
        assert first is not None and second is not None
        assert (first.reason, first.decision_note) == (FREE_TEXT, "call 13812341234")
        assert (second.reason, second.decision_note) == ("fever", "")
        assert dict(first.payload) == {"subject": "s" * 32, "test_reference": "HZ-13812341234"}
        assert case is not None and other is not None
        assert case.details.test_reference == "HZ-PCR-张三-13812341234"
        assert case.withdrawal_reason == FREE_TEXT
        assert (other.details.test_reference, other.withdrawal_reason) == ("HZ-PCR-0002", "")
    finally:
        engine.dispose()


def test_encrypted_text_cannot_be_moved_to_another_proposal(empty_database_url: str) -> None:
    """A reason copied into another proposal's row does not decrypt there (bound to its row)."""
    engine = _free_text_at_0008(empty_database_url)
    cipher = PersonalDataCipher(b"\x02" * 32)
    try:
        upgrade(engine, cipher=cipher)
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "UPDATE proposals SET reason_enc = "
                    "(SELECT reason_enc FROM proposals WHERE id = :a) WHERE id = :b"
                ),
                {"a": "a" * 32, "b": "b" * 32},
            )
        factory = build_session_factory(engine)
        with (
            SqlUnitOfWork(factory, cipher, ParsedPolicyCache(), EventHandlers()) as uow,
            pytest.raises(InvalidTag),
        ):
            uow.proposals.get("b" * 32)
    finally:
        engine.dispose()


def test_encrypting_without_the_data_key_is_refused_and_changes_nothing(
    empty_database_url: str,
) -> None:
    """Migrating stored proposals without the key stops at 0008, the text untouched."""
    engine = _free_text_at_0008(empty_database_url)
    try:
        with pytest.raises(RuntimeError, match="needs the data key"):
            upgrade(engine)
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == "0008"
            reason = conn.scalar(
                sa.text("SELECT reason FROM proposals WHERE id = :a"), {"a": "a" * 32}
            )
        assert reason == FREE_TEXT
    finally:
        engine.dispose()


def test_downgrading_decrypts_the_free_text_back(empty_database_url: str) -> None:
    """Downgrading 0009 with the key puts the clear text back in its columns."""
    engine = _free_text_at_0008(empty_database_url)
    cipher = PersonalDataCipher(b"\x02" * 32)
    try:
        upgrade(engine, cipher=cipher)
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as connection:
            config.attributes.update(connection=connection, cipher=cipher)
            command.downgrade(config, "0008")
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT id, reason, decision_note FROM proposals ORDER BY id")
            )
            assert [tuple(r) for r in rows] == [
                ("a" * 32, FREE_TEXT, "call 13812341234"),
                ("b" * 32, "fever", ""),
            ]
            cases = conn.execute(
                sa.text("SELECT case_id, test_reference, withdrawal_reason FROM case_records")
            )
            assert sorted(tuple(r) for r in cases) == [
                ("c" * 32, "HZ-PCR-张三-13812341234", FREE_TEXT),
                ("d" * 32, "HZ-PCR-0002", ""),
            ]
            payload = sa.column("payload", sa.JSON())
            payloads = conn.scalars(sa.select(payload).select_from(sa.table("proposals"))).all()
            assert payloads == [{"subject": "s" * 32, "test_reference": "HZ-13812341234"}] * 2
    finally:
        engine.dispose()
