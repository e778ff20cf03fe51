"""break glass and revocations: the break-glass log (reads by the operator holding the data key
without an official's session), when a checkpoint device was revoked, and when a channel's
secrets were last rotated

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 08:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "break_glass_uses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator", sa.String(length=120), nullable=False),
        sa.Column("what", sa.String(length=120), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass_uses")),
    )
    with op.batch_alter_table("break_glass_uses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_break_glass_uses_at"), ["at"], unique=False)
    # nullable, no default: devices revoked and secrets rotated before have no time recorded
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("secrets_rotated_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35 on), not a batch copy: channels and devices are
    # referenced by other tables' foreign keys, which a copy-and-rename would trip over
    op.drop_column("channels", "secrets_rotated_at")
    op.drop_column("devices", "revoked_at")
    with op.batch_alter_table("break_glass_uses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_break_glass_uses_at"))
    op.drop_table("break_glass_uses")
