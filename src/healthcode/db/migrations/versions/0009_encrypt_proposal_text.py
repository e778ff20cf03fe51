"""free text of proposals encrypted at rest: ``reason`` and ``decision_note`` become
``reason_enc`` and ``decision_note_enc``, AES-GCM under the data key, each bound to its
proposal and field (context ``proposal:<id>:reason``)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 03:10:00.000000

Officials type names and phone numbers into a proposal's reason and a decision's note, so they
are kept like the rest of the personal data. Existing rows are encrypted in place, which needs
the data key: ``healthcode init`` hands its cipher to the migration (``upgrade(engine,
cipher=…)``); a database holding proposals migrated without one is refused, nothing changed.
The cipher is used through its ``encrypt``/``decrypt`` methods alone, so this migration
imports no application code. Downgrading decrypts them back into the text columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 1_000
_FIELDS = ("reason", "decision_note")
_proposals = sa.table(
    "proposals",
    sa.column("id"),
    *(sa.column(f) for f in _FIELDS),
    *(sa.column(f"{f}_enc", sa.LargeBinary()) for f in _FIELDS),
)


def _cipher(bind: sa.Connection) -> Any:
    cipher = context.config.attributes.get("cipher")
    if cipher is None and bind.scalar(sa.select(sa.func.count()).select_from(_proposals)):
        raise RuntimeError(
            "migration 0009 encrypts the proposals' free text and needs the data key: "
            "run `healthcode init` (with HEALTHCODE_DATA_KEY_FILE set)"
        )
    return cipher


def _convert(bind: sa.Connection, source: str, target: str, change: Any) -> None:
    """Rewrite ``{source}`` of every proposal into ``{target}``, a chunk of rows at a time."""
    values: dict[str, Any] = {f"{f}{target}": sa.bindparam(f"new_{f}") for f in _FIELDS}
    statement = sa.update(_proposals).where(_proposals.c.id == sa.bindparam("pid")).values(values)
    columns = [_proposals.c.id, *(_proposals.c[f"{f}{source}"] for f in _FIELDS)]
    rows = bind.execute(sa.select(*columns).order_by(_proposals.c.id)).all()
    for start in range(0, len(rows), _CHUNK):
        batch = [
            {
                "pid": row[0],
                **{f"new_{f}": change(row[0], f, row[1 + i]) for i, f in enumerate(_FIELDS)},
            }
            for row in rows[start : start + _CHUNK]
        ]
        bind.execute(statement, batch)


def upgrade() -> None:
    bind = op.get_bind()
    cipher = _cipher(bind)
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        for field in _FIELDS:
            batch_op.add_column(sa.Column(f"{field}_enc", sa.LargeBinary(), nullable=True))
    _convert(
        bind,
        "",
        "_enc",
        lambda pid, field, value: cipher.encrypt(value or "", context=f"proposal:{pid}:{field}"),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        for field in _FIELDS:
            batch_op.alter_column(f"{field}_enc", existing_type=sa.LargeBinary(), nullable=False)
            batch_op.drop_column(field)


def downgrade() -> None:
    bind = op.get_bind()
    cipher = _cipher(bind)
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        for field in _FIELDS:
            batch_op.add_column(sa.Column(field, sa.Text(), nullable=True))
    _convert(
        bind,
        "_enc",
        "",
        lambda pid, field, value: cipher.decrypt(value, context=f"proposal:{pid}:{field}"),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        for field in _FIELDS:
            batch_op.alter_column(field, existing_type=sa.Text(), nullable=False)
            batch_op.drop_column(f"{field}_enc")
