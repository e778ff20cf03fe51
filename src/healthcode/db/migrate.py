"""Runs Alembic migrations programmatically, so no alembic.ini is needed on a machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "heads", *, cipher: Any = None) -> None:
    """Create or migrate the schema of the database behind ``engine`` up to ``revision``.

    ``cipher`` (the ``PersonalDataCipher`` of the data key) is handed to the migrations that
    encrypt data already stored; without it, such a migration refuses a database holding
    that data (an empty one needs no key)."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["cipher"] = cipher
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


class UnsupportedCollation(Exception):
    """The PostgreSQL database does not order text by code point."""


def code_point_collation(collate: str, provider: str = "c") -> bool:
    """Whether a database collation (``datcollate``, with its provider: ``c`` libc, ``i`` ICU)
    orders text by code point, as the place-id ranges of risk areas need."""
    return provider == "c" and (collate in ("C", "POSIX") or collate.startswith("C."))


def check_collation(engine: Engine) -> None:
    """Refuse a PostgreSQL database whose collation would order place ids otherwise: a risk
    area naming a bus line would silently miss rides."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        version = int(connection.scalar(text("SHOW server_version_num")) or 0)
        provider = "datlocprovider" if version >= 150000 else "'c'"
        row = connection.execute(
            text(
                f"SELECT datcollate, {provider} FROM pg_database "  # noqa: S608 - no input in it
                "WHERE datname = current_database()"
            )
        ).one()
    collate, kind = str(row[0]), str(row[1])
    if not code_point_collation(collate, kind):
        raise UnsupportedCollation(
            f"the database's collation is {collate} ({'ICU' if kind == 'i' else 'libc'}): "
            "healthcode needs text ordered by code point; create the database with "
            "`CREATE DATABASE … LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0`"
        )
