"""case records: what the last trace traced (the record's version, the tracing settings'
digest); presences by the moment they were recorded and persons by registration, so a late
rescan asks cheaply whether anything is new since the last trace

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 17:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_records") as batch:
        batch.add_column(sa.Column("traced_version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("traced_settings", sa.String(length=16), nullable=True))
    # on PostgreSQL presences are partitioned by day: the index is made on every partition;
    # with ``at`` in it, the probe of what was recorded since reads the index alone
    op.create_index("ix_presences_recorded_at", "presences", ["recorded_at", "at"], unique=False)
    op.create_index("ix_persons_registered_at", "persons", ["registered_at"], unique=False)
    op.create_index(
        "ix_federation_visitor_presences_recorded_at",
        "federation_visitor_presences",
        ["recorded_at", "at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_federation_visitor_presences_recorded_at", table_name="federation_visitor_presences"
    )
    op.drop_index("ix_persons_registered_at", table_name="persons")
    op.drop_index("ix_presences_recorded_at", table_name="presences")
    with op.batch_alter_table("case_records") as batch:
        batch.drop_column("traced_settings")
        batch.drop_column("traced_version")
