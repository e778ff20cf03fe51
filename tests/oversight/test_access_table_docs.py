"""The README's authorisation table is the one in the code."""

from __future__ import annotations

from pathlib import Path

from healthcode.oversight.access import markdown_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_table_matches_the_code() -> None:
    """The table between the access-table markers equals ``markdown_table()``."""
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- access-table:start -->\n") + len("<!-- access-table:start -->\n")
    end = text.index("\n<!-- access-table:end -->")
    assert text[start:end] == markdown_table()
