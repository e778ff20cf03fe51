"""the free text of facts encrypted at rest (a health declaration's ``note``, a quarantine
order's ``reason``, a manual override's ``reason_text``, a release's ``reason`` become
``<field>_enc`` columns, AES-GCM under the data key, each value bound to its table, fact and
field: ``health_declarations:<id>:note``); ``used_lookups``, the signed status lookups already
answered, so a replayed one is refused; the stored statuses (``current_statuses.body``,
``status_changes.body``, whose reasons quote an override's typed reason) become ``body_enc``,
the JSON text encrypted and bound to table and person (``current_statuses:<subject>:body``);
the status history's causes no longer quote a withdrawal's typed reason

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 05:00:00.000000

As in 0009, existing rows are encrypted in place, which needs the data key: ``healthcode
init`` hands its cipher to the migration; a database holding such rows migrated without one is
refused before anything changes. Fact tables can be large, so rows are read a chunk at a time
in key order rather than all at once. The cipher is used through its ``encrypt``/``decrypt``
methods alone, so this migration imports no application code. Downgrading decrypts the text
back into its columns (the causes stay cut).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 1_000
# table: the free-text field its rows hold (every one was TEXT NOT NULL); the key is ``id``
_TABLES: dict[str, str] = {
    "health_declarations": "note",
    "quarantine_orders": "reason",
    "manual_overrides": "reason_text",
    "releases": "reason",
}
# status table: its key column (the context binds each body to its person, not its key)
_STATUS_TABLES: dict[str, tuple[str, sa.types.TypeEngine[Any]]] = {
    "current_statuses": ("subject", sa.String()),
    "status_changes": ("id", sa.Integer()),
}
Change = Callable[[str, Any], Any]


def _table(name: str) -> sa.TableClause:
    field = _TABLES[name]
    return sa.table(
        name,
        sa.column("id", sa.String()),
        sa.column(field, sa.Text()),
        sa.column(f"{field}_enc", sa.LargeBinary()),
    )


def _cipher(bind: sa.Connection) -> Any:
    cipher = context.config.attributes.get("cipher")
    if cipher is not None:
        return cipher
    for name in (*_TABLES, *_STATUS_TABLES):
        if bind.scalar(sa.select(sa.func.count()).select_from(sa.table(name))):
            raise RuntimeError(
                f"migration 0011 encrypts the free text of {name} and needs the data key: "
                "run `healthcode init` (with HEALTHCODE_DATA_KEY_FILE set)"
            )
    return None


def _convert(bind: sa.Connection, name: str, source: str, target: str, change: Change) -> None:
    """Rewrite ``<field>{source}`` of every row of ``name`` into ``<field>{target}`` through
    ``change(context, value)``, a chunk of rows at a time in key order."""
    field = _TABLES[name]
    table = _table(name)
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_key"))
        .values({f"{field}{target}": sa.bindparam("new_value")})
    )
    after = ""
    while True:
        rows = bind.execute(
            sa.select(table.c.id, table.c[f"{field}{source}"])
            .where(table.c.id > after)
            .order_by(table.c.id)
            .limit(_CHUNK)
        ).all()
        if not rows:
            return
        bind.execute(
            statement,
            [
                {"row_key": key, "new_value": change(f"{name}:{key}:{field}", value)}
                for key, value in rows
            ],
        )
        after = rows[-1][0]


def _convert_statuses(bind: sa.Connection, name: str, source: str, change: Change) -> None:
    """Rewrite each row's ``body`` into ``body_enc`` (``source`` ``""``) or back (``"_enc"``)
    through ``change(context, value)``, a chunk of rows at a time in key order."""
    key, key_type = _STATUS_TABLES[name]
    target = "" if source == "_enc" else "_enc"
    columns = {
        key: key_type,
        "subject": sa.String(),
        "body": sa.JSON(),
        "body_enc": sa.LargeBinary(),
    }
    table = sa.table(name, *(sa.column(c, kind) for c, kind in columns.items()))
    statement = (
        sa.update(table)
        .where(table.c[key] == sa.bindparam("row_key"))
        .values({f"body{target}": sa.bindparam("new_value")})
    )
    # the subject labelled: in current_statuses it is the key too, selected twice
    owner = table.c.subject.label("owner")
    query = sa.select(table.c[key], owner, table.c[f"body{source}"]).order_by(table.c[key])
    after: Any = None
    while True:
        page = query if after is None else query.where(table.c[key] > after)
        rows = bind.execute(page.limit(_CHUNK)).all()
        if not rows:
            return
        bind.execute(
            statement,
            [
                {"row_key": row_key, "new_value": change(f"{name}:{subject}:body", value)}
                for row_key, subject, value in rows
            ],
        )
        after = rows[-1][0]


def _seal(cipher: Any, ctx: str, value: str | None) -> bytes:
    sealed: bytes = cipher.encrypt(value or "", context=ctx)
    return sealed


def _open(cipher: Any, ctx: str, sealed: bytes) -> str:
    text: str = cipher.decrypt(bytes(sealed), context=ctx)
    return text


def _seal_status(cipher: Any, ctx: str, body: Any) -> bytes:
    return _seal(cipher, ctx, json.dumps(body, ensure_ascii=False, separators=(",", ":")))


def _open_status(cipher: Any, ctx: str, sealed: bytes) -> Any:
    return json.loads(_open(cipher, ctx, sealed))


def _scrub_withdrawal_causes(bind: sa.Connection) -> None:
    """Cut the typed reason off the causes that quoted it (``correction: case <id> withdrawn:
    <reason>``); there is no putting it back, the reason stays in the case record."""
    changes = sa.table("status_changes", sa.column("id", sa.Integer()), sa.column("cause"))
    quoting = bind.execute(
        sa.select(changes.c.id, changes.c.cause).where(
            changes.c.cause.like("correction: case % withdrawn: %")
        )
    ).all()
    if quoting:
        bind.execute(
            sa.update(changes)
            .where(changes.c.id == sa.bindparam("row_key"))
            .values(cause=sa.bindparam("new_cause")),
            [
                {"row_key": key, "new_cause": cause[: cause.index(" withdrawn: ")] + " withdrawn"}
                for key, cause in quoting
            ],
        )


def _create_used_lookups() -> None:
    op.create_table(
        "used_lookups",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_used_lookups_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_used_lookups")),
    )
    with op.batch_alter_table("used_lookups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_used_lookups_expires_at"), ["expires_at"])


def upgrade() -> None:
    bind = op.get_bind()
    cipher = _cipher(bind)
    for name, field in _TABLES.items():
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column(f"{field}_enc", sa.LargeBinary(), nullable=True))
        _convert(bind, name, "", "_enc", lambda ctx, value: _seal(cipher, ctx, value))
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column(f"{field}_enc", existing_type=sa.LargeBinary(), nullable=False)
            batch_op.drop_column(field)
    for name in _STATUS_TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("body_enc", sa.LargeBinary(), nullable=True))
        _convert_statuses(bind, name, "", lambda ctx, body: _seal_status(cipher, ctx, body))
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column("body_enc", existing_type=sa.LargeBinary(), nullable=False)
            batch_op.drop_column("body")
    _scrub_withdrawal_causes(bind)
    _create_used_lookups()


def downgrade() -> None:
    with op.batch_alter_table("used_lookups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_used_lookups_expires_at"))
    op.drop_table("used_lookups")
    bind = op.get_bind()
    cipher = _cipher(bind)
    for name in _STATUS_TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("body", sa.JSON(), nullable=True))
        _convert_statuses(bind, name, "_enc", lambda ctx, sealed: _open_status(cipher, ctx, sealed))
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column("body", existing_type=sa.JSON(), nullable=False)
            batch_op.drop_column("body_enc")
    for name, field in _TABLES.items():
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column(field, sa.Text(), nullable=True))
        _convert(bind, name, "_enc", "", lambda ctx, sealed: _open(cipher, ctx, sealed))
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column(field, existing_type=sa.Text(), nullable=False)
            batch_op.drop_column(f"{field}_enc")
