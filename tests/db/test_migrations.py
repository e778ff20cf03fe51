"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import pytest
from alembic import command

from healthcode.db.engine import build_engine
from healthcode.db.migrate import alembic_config, check_collation, code_point_collation


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    """Autogenerate finds nothing to add after all migrations ran (no forgotten migration)."""
    command.check(alembic_config(database_url))


def test_the_test_databases_order_text_by_code_point(database_url: str) -> None:
    """`healthcode init` accepts the databases the tests run on (SQLite always; PostgreSQL
    created with C.UTF-8)."""
    engine = build_engine(database_url)
    try:
        check_collation(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("collate", "provider", "accepted"),
    [
        ("C", "c", True),
        ("POSIX", "c", True),
        ("C.UTF-8", "c", True),
        ("en_US.UTF-8", "c", False),
        ("C", "i", False),  # an ICU locale orders by its own rules whatever datcollate says
    ],
)
def test_only_code_point_collations_are_accepted(
    collate: str, provider: str, accepted: bool
) -> None:
    """libc C, POSIX and C.* collations order place ids by code point; others, and ICU, not."""
    assert code_point_collation(collate, provider) is accepted
