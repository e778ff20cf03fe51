"""Case records, risk areas, traced facts with their evidence, durable jobs; indexes for
tracing (presences by cell, exposures by source) and for due statuses.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 01:48:29.851848
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("dedup_key", name="uq_jobs_dedup_key"),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_status_run_after", ["status", "run_after"], unique=False)

    op.create_table(
        "risk_areas",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.Column("venues", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("proposed_by", sa.String(length=120), nullable=False),
        sa.Column("approved_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_areas")),
    )
    with op.batch_alter_table("risk_areas", schema=None) as batch_op:
        batch_op.create_index(
            "ix_risk_areas_jurisdiction_ends_at", ["jurisdiction", "ends_at"], unique=False
        )

    op.create_table(
        "case_records",
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("classification", sa.String(length=20), nullable=False),
        sa.Column("sampled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("onset_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("isolated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("test_reference", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reported_by", sa.String(length=120), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.String(length=120), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("case_fact_id", sa.String(length=32), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=120), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=False),
        sa.Column("traced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("trace_counts", sa.JSON(), nullable=False),
        sa.Column("exposures", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_case_records_subject_persons")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_records")),
    )
    with op.batch_alter_table("case_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_records_jurisdiction_reported_at",
            ["jurisdiction", "reported_at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_case_records_subject"), ["subject"], unique=False)

    op.create_table(
        "traced_facts",
        sa.Column("fact_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source_kind", sa.String(length=12), nullable=False),
        sa.Column("source_id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retracted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retracted_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_traced_facts_subject_persons")
        ),
        sa.PrimaryKeyConstraint("fact_id", name=op.f("pk_traced_facts")),
    )
    with op.batch_alter_table("traced_facts", schema=None) as batch_op:
        batch_op.create_index("ix_traced_facts_source_id", ["source_id"], unique=False)
        batch_op.create_index("ix_traced_facts_subject", ["subject"], unique=False)

    # tracing reads presences by cell and time (companions), exposures by their case or risk
    # area (corrections), and the worker reassesses statuses whose next change is due
    op.create_index("ix_presences_cell_at", "presences", ["cell", "at"], unique=False)
    op.create_index("ix_exposures_source_id", "exposures", ["source_id"], unique=False)
    op.create_index(
        "ix_current_statuses_valid_until", "current_statuses", ["valid_until"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_current_statuses_valid_until", table_name="current_statuses")
    op.drop_index("ix_exposures_source_id", table_name="exposures")
    op.drop_index("ix_presences_cell_at", table_name="presences")

    with op.batch_alter_table("traced_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_traced_facts_subject")
        batch_op.drop_index("ix_traced_facts_source_id")

    op.drop_table("traced_facts")
    with op.batch_alter_table("case_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_records_subject"))
        batch_op.drop_index("ix_case_records_jurisdiction_reported_at")

    op.drop_table("case_records")
    with op.batch_alter_table("risk_areas", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_areas_jurisdiction_ends_at")

    op.drop_table("risk_areas")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status_run_after")

    op.drop_table("jobs")
