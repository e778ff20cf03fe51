"""status and policy versions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 01:04:47.678289
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "policy_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_by", sa.String(length=120), nullable=False),
        sa.Column("approved_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_versions")),
    )
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_policy_versions_jurisdiction", ["jurisdiction", "activated_at"], unique=False
        )

    op.create_table(
        "current_statuses",
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("colour", sa.String(length=10), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_current_statuses_subject_persons")
        ),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_current_statuses")),
    )
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("colour_from", sa.String(length=10), nullable=True),
        sa.Column("colour_to", sa.String(length=10), nullable=False),
        sa.Column("cause", sa.String(length=120), nullable=False),
        sa.Column("policy_version", sa.String(length=64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_status_changes_subject_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_changes")),
    )
    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.create_index("ix_status_changes_subject_at", ["subject", "at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("status_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_status_changes_subject_at")

    op.drop_table("status_changes")
    op.drop_table("current_statuses")
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_policy_versions_jurisdiction")

    op.drop_table("policy_versions")
