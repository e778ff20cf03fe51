"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic import command

from healthcode.adapters.db.migrate import alembic_config


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    """Autogenerate finds nothing to add after all migrations ran (no forgotten migration)."""
    command.check(alembic_config(database_url))
