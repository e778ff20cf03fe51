"""federation: arrivals of visitors (issuer, opaque subject, the origin's colour and reasons)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 11:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "federation_arrivals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("consent", sa.String(length=64), nullable=False),
        sa.Column("issuer", sa.String(length=6), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin_colour", sa.String(length=10), nullable=False),
        sa.Column("origin_reasons", sa.JSON(), nullable=False),
        sa.Column("origin_valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_arrivals")),
        sa.UniqueConstraint("consent", name=op.f("uq_federation_arrivals_consent")),
    )
    op.create_index(
        "ix_federation_arrivals_visitor",
        "federation_arrivals",
        ["issuer", "subject", "at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_federation_arrivals_visitor", table_name="federation_arrivals")
    op.drop_table("federation_arrivals")
