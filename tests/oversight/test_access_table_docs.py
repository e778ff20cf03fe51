"""The authorisation table in docs/access-and-audit.md is the one in the code."""

from __future__ import annotations

from pathlib import Path

from healthcode.oversight.access import markdown_table

ACCESS_DOC = Path(__file__).resolve().parents[2] / "docs" / "access-and-audit.md"


def test_the_documented_table_matches_the_code() -> None:
    """The table between the access-table markers equals ``markdown_table()``."""
    text = ACCESS_DOC.read_text(encoding="utf-8")
    start = text.index("<!-- access-table:start -->\n") + len("<!-- access-table:start -->\n")
    end = text.index("\n<!-- access-table:end -->")
    assert text[start:end] == markdown_table()
