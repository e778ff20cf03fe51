"""The access log after the sunset's redaction: an unmasking's stated purpose is replaced once
and the chain still verifies; the database refuses every other change as before, a redaction
forged without the key breaks the chain, and migration 0021 goes down and up."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import DBAPIError

from healthcode.container import Container
from healthcode.db.engine import build_engine
from healthcode.db.migrate import alembic_config, upgrade
from healthcode.oversight.access import Purpose
from healthcode.oversight.audit import record_access, verify_access_log
from healthcode.sunset.model import PLACEHOLDER
from identity_helpers import add_test_official, principal

PURPOSE = "call the contact's daughter"


def _reads(container: Container) -> None:
    """Three records: a profile read, an unmasking with a stated purpose, another read."""
    add_test_official(container, "wang")
    wang = principal(container, "wang")
    for what, purpose in [
        ("profile", None),
        (f"phone number, unmasked: {PURPOSE}", Purpose.UNMASK),
        ("profile", None),
    ]:
        with container.uow() as uow:
            record_access(
                uow, clock=container.clock, principal=wang, subject="s1", what=what, purpose=purpose
            )
            uow.commit()


def _redact(container: Container) -> None:
    with container.uow() as uow:
        assert uow.sunset.erase_free_text()["access_audit"] == 1
        uow.commit()


def _sql(container: Container, statement: str) -> None:
    with container.engine.begin() as conn:
        conn.execute(sa.text(statement))


def test_a_redacted_purpose_keeps_the_chain_whole(container: Container) -> None:
    """The unmasking's purpose is erased, its MAC kept, and the chain verifies."""
    _reads(container)
    with container.uow() as uow:
        before = uow.audit.record_at(2)
    _redact(container)
    with container.uow() as uow:
        after = uow.audit.record_at(2)
        assert uow.sunset.erase_free_text()["access_audit"] == 0  # once only
    assert before is not None and after is not None
    assert after.what == f"phone number, unmasked: {PLACEHOLDER}" and after.hash == before.hash
    assert after.redaction is not None
    assert verify_access_log(uow=container.uow()).intact


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_audit SET what = 'x' WHERE seq = 2",  # a second redaction
        "UPDATE access_audit SET what = 'x', redaction = 'r' WHERE seq = 1",  # not an unmasking
        "UPDATE access_audit SET actor = 'x' WHERE seq = 1",
        "DELETE FROM access_audit WHERE seq = 3",
    ],
)
def test_the_database_refuses_any_other_change(container: Container, statement: str) -> None:
    """After the redaction, the log is append-only in the database as before."""
    _reads(container)
    _redact(container)
    with pytest.raises(DBAPIError, match="append-only"):
        _sql(container, statement)


def test_a_redaction_forged_without_the_key_breaks_the_chain(container: Container) -> None:
    """Text and a made-up redaction MAC written through the trigger's one gap: record 2 edited."""
    _reads(container)
    forged = "UPDATE access_audit SET what = 'x', redaction = :mac WHERE seq = 2"
    with container.engine.begin() as conn:
        conn.execute(sa.text(forged), {"mac": "0" * 64})
    verification = verify_access_log(uow=container.uow())
    assert verification.problem is not None and verification.problem.seq == 2
    assert verification.problem.kind == "edited"


def test_migration_0021_goes_down_and_up(empty_database_url: str) -> None:
    """Down to 0019 the column goes and updates are refused outright; up again it is back."""
    engine = build_engine(empty_database_url)
    try:
        upgrade(engine)
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as connection:
            config.attributes.update(connection=connection)
            command.downgrade(config, "0019")
        columns = {c["name"] for c in sa.inspect(engine).get_columns("access_audit")}
        assert "redaction" not in columns
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO access_audit (seq, at, actor, role, purpose, subject, what, "
                    "prev_hash, hash) VALUES (1, '2026-03-01 01:00:00+00:00', 'a', 'official', "
                    "'unmask', 's', 'w', 'p', 'h')"
                )
            )
        for statement in ("UPDATE access_audit SET what = 'x'", "DELETE FROM access_audit"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(sa.text(statement))
        upgrade(engine)
        columns = {c["name"] for c in sa.inspect(engine).get_columns("access_audit")}
        assert "redaction" in columns
    finally:
        engine.dispose()
