"""sign-up without oracles: a person's identity state (verified, unverified, taken back) and
the ID number they claimed (``claim_lookup``), the sign-up codes, the text messages waiting to
be sent by SMS and the record of identity changes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 05:00:00.000000

``id_lookup`` keeps its unique constraint but holds the ID number's keyed hash for verified
people only; a claim not verified holds ``claim:<subject>`` there (one verified person per ID
number, any number of claims). Existing people are verified except those registered only on
the website (a website account and no channel binding): nothing ever proved that they hold the
ID number they typed, so they become unverified, as a new website sign-up is, until a channel
confirms them. Columns are only added (no table is rebuilt), so SQLite keeps the rows that
refer to people; downgrading is refused while two people claim one ID number.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "persons",
        sa.Column(
            "identity_state", sa.String(length=12), nullable=False, server_default="verified"
        ),
    )
    op.add_column("persons", sa.Column("claim_lookup", sa.String(length=64), nullable=True))
    op.execute("UPDATE persons SET claim_lookup = id_lookup")
    op.execute(
        "UPDATE persons SET identity_state = 'unverified', id_lookup = 'claim:' || subject "
        "WHERE subject IN (SELECT subject FROM citizen_accounts) "
        "AND subject NOT IN (SELECT subject FROM channel_bindings)"
    )
    op.create_index("ix_persons_claim_lookup", "persons", ["jurisdiction", "claim_lookup"])
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
    # every claim back in id_lookup: refused by its unique constraint while two people claim
    # one ID number
    op.execute("UPDATE persons SET id_lookup = claim_lookup WHERE claim_lookup IS NOT NULL")
    op.drop_index("ix_persons_claim_lookup", table_name="persons")
    # plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): rebuilding the table would trip the
    # foreign keys of the rows that refer to people
    op.execute("ALTER TABLE persons DROP COLUMN claim_lookup")
    op.execute("ALTER TABLE persons DROP COLUMN identity_state")
