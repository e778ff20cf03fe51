"""The engine never shows SQL parameters (free text, personal data) in errors or logs."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from healthcode.db.engine import build_engine

SECRET = "张三丰 13812341234"


def test_errors_do_not_print_parameters(database_url: str) -> None:
    """A failing statement's error names the SQL but hides the values bound to it."""
    engine = build_engine(database_url)
    try:
        with pytest.raises(DBAPIError) as failed, engine.connect() as conn:
            conn.execute(text("SELECT * FROM no_such_table WHERE name = :name"), {"name": SECRET})
        assert SECRET not in str(failed.value)
        assert "hidden" in str(failed.value)
    finally:
        engine.dispose()


def test_statement_logs_do_not_print_parameters(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """With SQL logging on, statements are logged and their parameters are not."""
    engine = build_engine(database_url)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT :name AS name"), {"name": SECRET}).all()
    finally:
        engine.dispose()
    assert "SELECT" in caplog.text
    assert SECRET not in caplog.text
