"""arrivals: what the origin answered, readable by policies (its colour, its risk areas);
peer messages: what caused an outgoing one (a case), for its withdrawal

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 13:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("arrivals") as batch:
        batch.add_column(sa.Column("origin_colour", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("origin_risk_area", sa.String(length=10), nullable=True))
    with op.batch_alter_table("federation_arrivals") as batch:
        batch.add_column(sa.Column("origin_risk_area", sa.String(length=10), nullable=True))
    with op.batch_alter_table("federation_messages_out") as batch:
        batch.add_column(sa.Column("source", sa.String(length=64), nullable=True))
        batch.create_index(batch.f("ix_federation_messages_out_source"), ["source"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("federation_messages_out") as batch:
        batch.drop_index(batch.f("ix_federation_messages_out_source"))
        batch.drop_column("source")
    with op.batch_alter_table("federation_arrivals") as batch:
        batch.drop_column("origin_risk_area")
    with op.batch_alter_table("arrivals") as batch:
        batch.drop_column("origin_risk_area")
        batch.drop_column("origin_colour")
