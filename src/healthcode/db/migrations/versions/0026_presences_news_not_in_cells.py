"""presences by the moment they were recorded, stays in location cells left out (unless they
correct another presence): the late-rescan probe of a policy without the companion rule reads
this partial index, so a night's hundreds of thousands of stays cost it nothing

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 13:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the condition as the probe names it (``db.facts.NEWS_NOT_IN_CELLS_SQL``, written out here: a
# migration does not change when the code does)
NOT_IN_CELLS = "place_kind != 'cell' OR supersedes IS NOT NULL"


def upgrade() -> None:
    # on PostgreSQL presences are partitioned by day: the index is made on every partition
    op.create_index(
        "ix_presences_recorded_not_cells",
        "presences",
        ["recorded_at", "at"],
        unique=False,
        sqlite_where=sa.text(NOT_IN_CELLS),
        postgresql_where=sa.text(NOT_IN_CELLS),
    )


def downgrade() -> None:
    op.drop_index("ix_presences_recorded_not_cells", table_name="presences")
