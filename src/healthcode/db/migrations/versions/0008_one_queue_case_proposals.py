"""one queue, and proposals linked to their case: webhooks move from the outbox into the jobs
table (kind ``webhook``); proposals gain a ``case_id`` column, filled from their payload

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 02:00:00.000000

Outbox rows become jobs with the same id: pending ones stay due when they were (or when the
claim a worker held on them runs out), delivered ones are done, parked ones failed. The
idempotency key becomes the job's dedup key, so a webhook is never queued or sent twice across
the upgrade. Downgrading recreates an empty outbox: the webhooks stay in the jobs table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CASE_KINDS = ("confirm_case", "withdraw_case")
_CHUNK = 1_000
_STATES = {"pending": "pending", "delivered": "done", "parked": "failed"}

# untyped columns: values go from one table to the other as the driver hands them over
_outbox = sa.table(
    "outbox",
    *(
        sa.column(name)
        for name in (
            "id",
            "idempotency_key",
            "channel_id",
            "subject",
            "event",
            "body",
            "created_at",
            "status",
            "attempts",
            "next_attempt_at",
            "claimed_until",
            "delivered_at",
            "last_error",
        )
    ),
)
_jobs = sa.table(
    "jobs",
    sa.column("id"),
    sa.column("kind"),
    sa.column("payload", sa.JSON()),
    sa.column("dedup_key"),
    sa.column("status"),
    sa.column("attempts"),
    sa.column("run_after"),
    sa.column("created_at"),
    sa.column("locked_by"),
    sa.column("locked_until"),
    sa.column("last_error"),
    sa.column("finished_at"),
)
_proposals = sa.table(
    "proposals",
    sa.column("id"),
    sa.column("kind"),
    sa.column("payload", sa.JSON()),
    sa.column("case_id"),
)


def _job(row: Any) -> dict[str, Any]:
    run_after = row.next_attempt_at
    if row.status == "pending" and row.claimed_until is not None and row.claimed_until > run_after:
        run_after = row.claimed_until  # a worker may be sending it now: let its claim run out
    status = _STATES.get(row.status, "pending")
    return {
        "id": row.id,
        "kind": "webhook",
        "payload": {
            "channel_id": row.channel_id,
            "subject": row.subject,
            "event": row.event,
            "body": row.body,
        },
        "dedup_key": row.idempotency_key,
        "status": status,
        "attempts": row.attempts,
        "run_after": run_after,
        "created_at": row.created_at,
        "locked_by": None,
        "locked_until": None,
        "last_error": row.last_error,
        "finished_at": row.delivered_at
        if status == "done"
        else (row.next_attempt_at if status == "failed" else None),
    }


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_proposals_case_id"), ["case_id"], unique=False)
    about_cases = bind.execute(
        sa.select(_proposals.c.id, _proposals.c.payload).where(_proposals.c.kind.in_(_CASE_KINDS))
    ).all()
    for proposal_id, payload in about_cases:
        case_id = payload.get("case_id") if isinstance(payload, dict) else None
        if isinstance(case_id, str) and case_id:
            bind.execute(
                sa.update(_proposals).where(_proposals.c.id == proposal_id).values(case_id=case_id)
            )

    webhooks = bind.execute(
        sa.select(_outbox)
        .order_by(_outbox.c.created_at, _outbox.c.id)
        .execution_options(yield_per=_CHUNK)
    )
    for chunk in webhooks.partitions():
        bind.execute(sa.insert(_jobs), [_job(row) for row in chunk])
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_subject"))
        batch_op.drop_index("ix_outbox_status_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_outbox_channel_id"))
    op.drop_table("outbox")


def downgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["channels.id"], name=op.f("fk_outbox_channel_id_channels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_idempotency_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_channel_id"), ["channel_id"], unique=False)
        batch_op.create_index(
            "ix_outbox_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_subject"), ["subject"], unique=False)
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_case_id"))
        batch_op.drop_column("case_id")
