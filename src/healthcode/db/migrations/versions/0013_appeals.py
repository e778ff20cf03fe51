"""appeals: a citizen's dispute of their colour, its deadline and its answer (the free text
encrypted); a new table, so a database holding data upgrades without touching it

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 07:27:58.026707
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("colour", sa.String(length=10), nullable=False),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=False),
        sa.Column("evidence_enc", sa.LargeBinary(), nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decision_enc", sa.LargeBinary(), nullable=False),
        sa.Column("correction", sa.String(length=12), nullable=True),
        sa.Column("proposal_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_appeals_subject_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
    )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.create_index("ix_appeals_state_due_at", ["state", "due_at"], unique=False)
        batch_op.create_index("ix_appeals_subject_filed_at", ["subject", "filed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_index("ix_appeals_subject_filed_at")
        batch_op.drop_index("ix_appeals_state_due_at")

    op.drop_table("appeals")
