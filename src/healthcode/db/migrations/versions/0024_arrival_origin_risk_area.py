"""arrivals: what the origin answered, readable by policies (its colour, its risk areas)

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


def downgrade() -> None:
    with op.batch_alter_table("federation_arrivals") as batch:
        batch.drop_column("origin_risk_area")
    with op.batch_alter_table("arrivals") as batch:
        batch.drop_column("origin_risk_area")
        batch.drop_column("origin_colour")
