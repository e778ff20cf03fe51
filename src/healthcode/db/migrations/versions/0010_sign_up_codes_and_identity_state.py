"""sign-up without oracles: a person's identity state (verified, unverified, taken back), one
verified person per ID number instead of one person, the sign-up codes, the text messages
waiting to be sent by SMS and the record of identity changes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 05:00:00.000000

Existing people are verified except those registered only on the website (a website account
and no channel binding): nothing ever proved that they hold the ID number they typed, so they
become unverified, as a new website sign-up is, until a channel confirms them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VERIFIED_ONLY = sa.text("identity_state = 'verified'")


def upgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "identity_state",
                sa.String(length=12),
                nullable=False,
                server_default="verified",
            )
        )
        batch_op.drop_constraint("uq_persons_id_lookup", type_="unique")
    op.execute(
        "UPDATE persons SET identity_state = 'unverified' "
        "WHERE subject IN (SELECT subject FROM citizen_accounts) "
        "AND subject NOT IN (SELECT subject FROM channel_bindings)"
    )
    op.create_index(
        "uq_persons_verified_id",
        "persons",
        ["jurisdiction", "id_lookup"],
        unique=True,
        sqlite_where=_VERIFIED_ONLY,
        postgresql_where=_VERIFIED_ONLY,
    )
    op.create_index("ix_persons_id_lookup", "persons", ["jurisdiction", "id_lookup"])
    op.create_table(
        "sign_up_codes",
        sa.Column("phone_lookup", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("phone_lookup"),
    )
    op.create_index("ix_sign_up_codes_expires_at", "sign_up_codes", ["expires_at"])
    op.create_table(
        "outgoing_texts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("phone_enc", sa.LargeBinary(), nullable=False),
        sa.Column("text_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "identity_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=True),
        sa.Column("holder", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["subject"], ["persons.subject"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_identity_events_subject", "identity_events", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_identity_events_subject", table_name="identity_events")
    op.drop_table("identity_events")
    op.drop_table("outgoing_texts")
    op.drop_index("ix_sign_up_codes_expires_at", table_name="sign_up_codes")
    op.drop_table("sign_up_codes")
    op.drop_index("ix_persons_id_lookup", table_name="persons")
    op.drop_index("uq_persons_verified_id", table_name="persons")
    # one person per ID number again: refused while two people claim the same one
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_persons_id_lookup", ["jurisdiction", "id_lookup"])
        batch_op.drop_column("identity_state")
