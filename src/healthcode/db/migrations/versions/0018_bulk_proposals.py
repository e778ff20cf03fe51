"""bulk proposals: the people a proposal touches, whether that is a bulk action, and a bulk
proposal's first approval (a second, different approver executes it)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("people", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("bulk", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("first_approved_by", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("first_approved_by_role", sa.String(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column("first_approved_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("first_approval_note_enc", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("first_approval_note_enc")
        batch_op.drop_column("first_approved_at")
        batch_op.drop_column("first_approved_by_role")
        batch_op.drop_column("first_approved_by")
        batch_op.drop_column("bulk")
        batch_op.drop_column("people")
