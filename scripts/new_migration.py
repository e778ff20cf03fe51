"""Autogenerate the next Alembic revision from the models (a development tool).

Usage: .venv/bin/python scripts/new_migration.py REV_ID "message" [DOWN_REVISION]
It migrates a scratch SQLite database to the current heads, then autogenerates against it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from healthcode.db.engine import build_engine
from healthcode.db.migrate import alembic_config, upgrade


def main() -> None:
    rev_id, message = sys.argv[1], sys.argv[2]
    head = sys.argv[3] if len(sys.argv) > 3 else "heads"
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'scratch.db'}"
        engine = build_engine(url)
        upgrade(engine, head)
        engine.dispose()
        command.revision(
            alembic_config(url), message=message, autogenerate=True, rev_id=rev_id, head=head
        )


if __name__ == "__main__":
    main()
