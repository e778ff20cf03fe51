"""purge records: how many records of each kind a retention purge deleted, and when (for the
transparency report)

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-06 08:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "purges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purges")),
    )
    with op.batch_alter_table("purges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_purges_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("purges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purges_at"))
    op.drop_table("purges")
