"""account sponsors: who proposed an official's account (officials.sponsored_by) and who
sponsored a proposer's account (proposals.proposer_sponsor), so four eyes never pairs the two

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 05:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # nullable, no default: accounts and proposals made before have no sponsor recorded
    with op.batch_alter_table("officials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sponsored_by", sa.String(length=64), nullable=True))
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposer_sponsor", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("proposer_sponsor")
    with op.batch_alter_table("officials", schema=None) as batch_op:
        batch_op.drop_column("sponsored_by")
