"""access log: a record's redaction (the sunset erases the purpose an official stated)

The access log stays append-only in the database but for one change: a record of purpose
``unmask`` not yet redacted may have its ``what`` replaced once, together with its
``redaction`` MAC (``oversight.audit_chain.redacted``); every other column, and any second
change, is refused as before.

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-06 10:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MESSAGE = "access_audit is append-only"
_UNCHANGED = " AND ".join(
    f"NEW.{c} = OLD.{c}"
    for c in ("seq", "at", "actor", "role", "purpose", "subject", "prev_hash", "hash")
)
# the one update allowed: an unmasking's record redacted once
_REDACTION = (
    f"OLD.redaction IS NULL AND NEW.redaction IS NOT NULL AND OLD.purpose = 'unmask' "
    f"AND {_UNCHANGED}"
)


def _postgres_function(allow_redaction: bool) -> str:
    allowed = (
        f"IF TG_OP = 'UPDATE' AND {_REDACTION} THEN RETURN NEW; END IF; " if allow_redaction else ""
    )
    return (
        "CREATE OR REPLACE FUNCTION access_audit_append_only() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN {allowed}RAISE EXCEPTION '{_MESSAGE}'; END $$"
    )


def _sqlite_update_trigger(allow_redaction: bool) -> str:
    when = f" WHEN NOT ({_REDACTION})" if allow_redaction else ""
    return (
        f"CREATE TRIGGER access_audit_no_update BEFORE UPDATE ON access_audit{when} "
        f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
    )


def _guard(allow_redaction: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_postgres_function(allow_redaction))  # the trigger calls it by name
        return
    op.execute("DROP TRIGGER IF EXISTS access_audit_no_update")
    op.execute(_sqlite_update_trigger(allow_redaction))


def upgrade() -> None:
    with op.batch_alter_table("access_audit") as batch:
        batch.add_column(sa.Column("redaction", sa.String(length=64), nullable=True))
    _guard(allow_redaction=True)


def downgrade() -> None:
    _guard(allow_redaction=False)  # before the column goes: the function names it
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("access_audit", "redaction")
        return
    op.execute("DROP TRIGGER IF EXISTS access_audit_no_update")
    op.execute("DROP TRIGGER IF EXISTS access_audit_no_delete")
    with op.batch_alter_table("access_audit", recreate="always") as batch:
        batch.drop_column("redaction")
    op.execute(_sqlite_update_trigger(allow_redaction=False))
    op.execute(
        "CREATE TRIGGER access_audit_no_delete BEFORE DELETE ON access_audit "
        f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
    )
