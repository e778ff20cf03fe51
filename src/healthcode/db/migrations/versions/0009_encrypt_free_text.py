"""free text encrypted at rest: a proposal's ``reason``, ``decision_note`` and ``payload`` (a
case report's subject, times and test reference; stored as JSON text), a case's
``test_reference`` and ``withdrawal_reason`` become ``<field>_enc`` columns, AES-GCM under the
data key, each value bound to its row and field (context ``proposal:<id>:reason``,
``case:<case_id>:test_reference``)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 03:10:00.000000

Officials type names and phone numbers into these fields, so they are kept like the rest of the
personal data. Existing rows are encrypted in place, which needs the data key: ``healthcode
init`` hands its cipher to the migration (``upgrade(engine, cipher=…)``); a database holding
such rows migrated without one is refused before anything changes. The cipher is used through
its ``encrypt``/``decrypt`` methods alone, so this migration imports no application code.
Downgrading decrypts them back into the text columns.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 1_000
# table: (key column, context prefix, {field: its type before}); the order of the fields is kept
_TABLES: dict[str, tuple[str, str, dict[str, sa.types.TypeEngine[Any]]]] = {
    "proposals": (
        "id",
        "proposal",
        {"reason": sa.Text(), "decision_note": sa.Text(), "payload": sa.JSON()},
    ),
    "case_records": (
        "case_id",
        "case",
        {"test_reference": sa.String(length=64), "withdrawal_reason": sa.Text()},
    ),
}
Change = Callable[[str, str, Any], Any]


def _table(name: str) -> sa.TableClause:
    key, _, fields = _TABLES[name]
    return sa.table(
        name,
        sa.column(key),
        *(sa.column(f, kind) for f, kind in fields.items()),
        *(sa.column(f"{f}_enc", sa.LargeBinary()) for f in fields),
    )


def _cipher(bind: sa.Connection) -> Any:
    cipher = context.config.attributes.get("cipher")
    if cipher is not None:
        return cipher
    for name in _TABLES:
        if bind.scalar(sa.select(sa.func.count()).select_from(_table(name))):
            raise RuntimeError(
                f"migration 0009 encrypts the free text of {name} and needs the data key: "
                "run `healthcode init` (with HEALTHCODE_DATA_KEY_FILE set)"
            )
    return None


def _convert(bind: sa.Connection, name: str, source: str, target: str, change: Change) -> None:
    """Rewrite the fields ``<field>{source}`` of every row of ``name`` into ``<field>{target}``
    through ``change(context, field, value)``, a chunk of rows at a time."""
    key, prefix, fields = _TABLES[name]
    table = _table(name)
    values: dict[str, Any] = {f"{f}{target}": sa.bindparam(f"new_{f}") for f in fields}
    statement = sa.update(table).where(table.c[key] == sa.bindparam("row_key")).values(values)
    columns = [table.c[key], *(table.c[f"{f}{source}"] for f in fields)]
    rows = bind.execute(sa.select(*columns).order_by(table.c[key])).all()
    for start in range(0, len(rows), _CHUNK):
        batch = [
            {
                "row_key": row[0],
                **{
                    f"new_{f}": change(f"{prefix}:{row[0]}:{f}", f, row[1 + i])
                    for i, f in enumerate(fields)
                },
            }
            for row in rows[start : start + _CHUNK]
        ]
        bind.execute(statement, batch)


def _seal(cipher: Any, ctx: str, field: str, value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False) if field == "payload" else value or ""
    sealed: bytes = cipher.encrypt(text, context=ctx)
    return sealed


def _open(cipher: Any, ctx: str, field: str, sealed: bytes) -> Any:
    text = cipher.decrypt(bytes(sealed), context=ctx)
    return json.loads(text) if field == "payload" else text


def upgrade() -> None:
    bind = op.get_bind()
    cipher = _cipher(bind)
    for name, (_, _, fields) in _TABLES.items():
        with op.batch_alter_table(name, schema=None) as batch_op:
            for field in fields:
                batch_op.add_column(sa.Column(f"{field}_enc", sa.LargeBinary(), nullable=True))
        _convert(bind, name, "", "_enc", lambda ctx, f, value: _seal(cipher, ctx, f, value))
        with op.batch_alter_table(name, schema=None) as batch_op:
            for field in fields:
                batch_op.alter_column(
                    f"{field}_enc", existing_type=sa.LargeBinary(), nullable=False
                )
                batch_op.drop_column(field)


def downgrade() -> None:
    bind = op.get_bind()
    cipher = _cipher(bind)
    for name, (_, _, fields) in _TABLES.items():
        with op.batch_alter_table(name, schema=None) as batch_op:
            for field, kind in fields.items():
                batch_op.add_column(sa.Column(field, kind, nullable=True))
        _convert(bind, name, "_enc", "", lambda ctx, f, sealed: _open(cipher, ctx, f, sealed))
        with op.batch_alter_table(name, schema=None) as batch_op:
            for field, kind in fields.items():
                batch_op.alter_column(field, existing_type=kind, nullable=False)
                batch_op.drop_column(f"{field}_enc")
