"""Runs Alembic migrations programmatically, so no alembic.ini is needed on a machine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Create or migrate the schema of the database behind ``engine`` up to ``revision``."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


class SchemaOutOfDate(Exception):
    """The database is not migrated to the revisions this code needs."""


def check_current(engine: Engine) -> None:
    """Refuse to run on a database that is not at the code's migration heads."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    wanted = set(ScriptDirectory.from_config(config).get_heads())
    with engine.connect() as connection:
        have = set(MigrationContext.configure(connection).get_current_heads())
    if have != wanted:
        raise SchemaOutOfDate(
            f"database schema is at {sorted(have) or 'nothing'}, this code needs {sorted(wanted)}:"
            " run `healthcode init` to create or migrate it"
        )
