"""federation: peers (root pinned), each peer's last good trust list, sync counts

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 10:31:24.341533
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "federation_peer_lists",
        sa.Column("jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("jurisdiction", name=op.f("pk_federation_peer_lists")),
    )
    op.create_table(
        "federation_peers",
        sa.Column("jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=False),
        sa.Column("root_public_key", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("jurisdiction", name=op.f("pk_federation_peers")),
    )
    op.create_table(
        "federation_sync_counts",
        sa.Column("jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("jurisdiction", "outcome", name=op.f("pk_federation_sync_counts")),
    )


def downgrade() -> None:
    op.drop_table("federation_sync_counts")
    op.drop_table("federation_peers")
    op.drop_table("federation_peer_lists")
