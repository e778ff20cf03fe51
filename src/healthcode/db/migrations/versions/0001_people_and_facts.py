"""people and facts

Revision ID: 0001
Revises:
Create Date: 2026-11-29 00:59:17.281651
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "persons",
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("id_type", sa.String(length=20), nullable=False),
        sa.Column("id_lookup", sa.String(length=64), nullable=False),
        sa.Column("phone_lookup", sa.String(length=64), nullable=False),
        sa.Column("household", sa.String(length=64), nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=False),
        sa.Column("id_number_enc", sa.LargeBinary(), nullable=False),
        sa.Column("phone_enc", sa.LargeBinary(), nullable=False),
        sa.Column("address_enc", sa.LargeBinary(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_persons")),
        sa.UniqueConstraint("jurisdiction", "id_lookup", name="uq_persons_id_lookup"),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persons_household"), ["household"], unique=False)
        batch_op.create_index(batch_op.f("ix_persons_phone_lookup"), ["phone_lookup"], unique=False)

    op.create_table(
        "arrivals",
        sa.Column("from_region", sa.String(length=6), nullable=False),
        sa.Column("to_region", sa.String(length=6), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", sa.String(length=32), nullable=True),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_arrivals_subject_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arrivals")),
    )
    with op.batch_alter_table("arrivals", schema=None) as batch_op:
        batch_op.create_index("ix_arrivals_subject_at", ["subject", "at"], unique=False)

    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("classification", sa.String(length=20), nullable=False),
        sa.Column("sampled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("onset_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", sa.String(length=32), nullable=True),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_cases_subject_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_subject_at", ["subject", "at"], unique=False)

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_consents_subject_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consents_subject"), ["subject"], unique=False)

    op.create_table(
        "dev_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_dev_tokens_subject_persons")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_dev_tokens")),
    )
    with op.batch_alter_table("dev_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dev_tokens_subject"), ["subject"], unique=False)

    op.create_table(
        "exposures",
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("place_id", sa.String(length=64), nullable=True),
        sa.Column("overlap_minutes", sa.Float(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=True),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", sa.String(length=32), nullable=True),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_exposures_subject_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exposures")),
    )
    with op.batch_alter_table("exposures", schema=None) as batch_op:
        batch_op.create_index("ix_exposures_subject_at", ["subject", "at"], unique=False)

    op.create_table(
        "health_declarations",
        sa.Column("temperature", sa.Float(), nullable=False),
        sa.Column("symptoms", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", sa.String(length=32), nullable=True),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_health_declarations_subject_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_declarations")),
    )
    with op.batch_alter_table("health_declarations", schema=None) as batch_op:
        batch_op.create_index("ix_health_declarations_subject_at", ["subject", "at"], unique=False)

    op.create_table(
        "identity_checks",
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", sa.String(length=32), nullable=True),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_identity_checks_subject_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_checks")),
    )
    with op.batch_alter_table("identity_checks", schema=None) as batch_op:
        batch_op.create_index("ix_identity_checks_subject_at", ["subject", "at"], unique=False)

    op.create_table(
        "manual_overrides",
        sa.Column("colour", sa.String(length=10), nullable=False),
        sa.Column("reason_category", sa.String(length=40), nullable=False),
        sa.Column("reason_text", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", sa.String(length=32), nullable=True),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_manual_overrides_subject_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manual_overrides")),
    )
    with op.batch_alter_table("manual_overrides", schema=None) as batch_op:
        batch_op.create_index("ix_manual_overrides_subject_at", ["subject", "at"], unique=False)

    op.create_table(
        "presences",
        sa.Column("place_id", sa.String(length=64), nullable=False),
        sa.Column("place_kind", sa.String(length=30), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("cell", sa.String(length=16), nullable=True),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", sa.String(length=32), nullable=True),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_presences_subject_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presences")),
    )
    with op.batch_alter_table("presences", schema=None) as batch_op:
        batch_op.create_index("ix_presences_subject_at", ["subject", "at"], unique=False)

    op.create_table(
        "quarantine_orders",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("setting", sa.String(length=20), nullable=False),
        sa.Column("planned_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", sa.String(length=32), nullable=True),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_quarantine_orders_subject_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine_orders")),
    )
    with op.batch_alter_table("quarantine_orders", schema=None) as batch_op:
        batch_op.create_index("ix_quarantine_orders_subject_at", ["subject", "at"], unique=False)

    op.create_table(
        "releases",
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", sa.String(length=32), nullable=True),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_releases_subject_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
    )
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.create_index("ix_releases_subject_at", ["subject", "at"], unique=False)

    op.create_table(
        "test_results",
        sa.Column("test_kind", sa.String(length=20), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("sampled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", sa.String(length=32), nullable=True),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_test_results_subject_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_test_results")),
    )
    with op.batch_alter_table("test_results", schema=None) as batch_op:
        batch_op.create_index("ix_test_results_subject_at", ["subject", "at"], unique=False)

    op.create_table(
        "travel_declarations",
        sa.Column("place", sa.String(length=6), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", sa.String(length=32), nullable=True),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject"], ["persons.subject"], name=op.f("fk_travel_declarations_subject_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_travel_declarations")),
    )
    with op.batch_alter_table("travel_declarations", schema=None) as batch_op:
        batch_op.create_index("ix_travel_declarations_subject_at", ["subject", "at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("travel_declarations", schema=None) as batch_op:
        batch_op.drop_index("ix_travel_declarations_subject_at")

    op.drop_table("travel_declarations")
    with op.batch_alter_table("test_results", schema=None) as batch_op:
        batch_op.drop_index("ix_test_results_subject_at")

    op.drop_table("test_results")
    with op.batch_alter_table("releases", schema=None) as batch_op:
        batch_op.drop_index("ix_releases_subject_at")

    op.drop_table("releases")
    with op.batch_alter_table("quarantine_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_quarantine_orders_subject_at")

    op.drop_table("quarantine_orders")
    with op.batch_alter_table("presences", schema=None) as batch_op:
        batch_op.drop_index("ix_presences_subject_at")

    op.drop_table("presences")
    with op.batch_alter_table("manual_overrides", schema=None) as batch_op:
        batch_op.drop_index("ix_manual_overrides_subject_at")

    op.drop_table("manual_overrides")
    with op.batch_alter_table("identity_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_identity_checks_subject_at")

    op.drop_table("identity_checks")
    with op.batch_alter_table("health_declarations", schema=None) as batch_op:
        batch_op.drop_index("ix_health_declarations_subject_at")

    op.drop_table("health_declarations")
    with op.batch_alter_table("exposures", schema=None) as batch_op:
        batch_op.drop_index("ix_exposures_subject_at")

    op.drop_table("exposures")
    with op.batch_alter_table("dev_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dev_tokens_subject"))

    op.drop_table("dev_tokens")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consents_subject"))

    op.drop_table("consents")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_subject_at")

    op.drop_table("cases")
    with op.batch_alter_table("arrivals", schema=None) as batch_op:
        batch_op.drop_index("ix_arrivals_subject_at")

    op.drop_table("arrivals")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_phone_lookup"))
        batch_op.drop_index(batch_op.f("ix_persons_household"))

    op.drop_table("persons")
