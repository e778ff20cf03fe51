"""Venues, devices, scan batches, check-ins, staff lists, jurisdiction boundaries;
presences indexed by place and time.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 01:33:09.357439
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jurisdiction_boundaries",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_jurisdiction_boundaries")),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
    )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisations_jurisdiction"), ["jurisdiction"], unique=False
        )

    op.create_table(
        "staff",
        sa.Column("organisation_id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("listed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_staff_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_staff_subject_persons")
        ),
        sa.PrimaryKeyConstraint("organisation_id", "subject", name=op.f("pk_staff")),
    )
    op.create_table(
        "venues",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("cell", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.String(length=32), nullable=False),
        sa.Column("jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code_issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place_code", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_venues_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venues")),
    )
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.create_index("ix_venues_cell", ["cell"], unique=False)
        batch_op.create_index(batch_op.f("ix_venues_jurisdiction"), ["jurisdiction"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_venues_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "checkins",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("venue_id", sa.String(length=32), nullable=False),
        sa.Column("jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("flag", sa.String(length=20), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("colour", sa.String(length=10), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("presence_id", sa.String(length=32), nullable=True),
        sa.Column("reviewed_by", sa.String(length=120), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_checkins_subject_persons")
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venues.id"], name=op.f("fk_checkins_venue_id_venues")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
    )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.create_index("ix_checkins_state_at", ["state", "at"], unique=False)
        batch_op.create_index("ix_checkins_subject_at", ["subject", "at"], unique=False)

    op.create_table(
        "devices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("venue_id", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venues.id"], name=op.f("fk_devices_venue_id_venues")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_venue_id"), ["venue_id"], unique=False)

    op.create_table(
        "scan_batches",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_scan_batches_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_batches")),
    )
    with op.batch_alter_table("scan_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scan_batches_device_id"), ["device_id"], unique=False)

    # tracing reads presences of a place in a time range
    op.create_index("ix_presences_place_id_at", "presences", ["place_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_presences_place_id_at", table_name="presences")

    with op.batch_alter_table("scan_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scan_batches_device_id"))

    op.drop_table("scan_batches")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_venue_id"))

    op.drop_table("devices")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_index("ix_checkins_subject_at")
        batch_op.drop_index("ix_checkins_state_at")

    op.drop_table("checkins")
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_venues_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_venues_jurisdiction"))
        batch_op.drop_index("ix_venues_cell")

    op.drop_table("venues")
    op.drop_table("staff")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_jurisdiction"))

    op.drop_table("organisations")
    op.drop_table("jurisdiction_boundaries")
