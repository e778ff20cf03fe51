"""Check the conventions a linter does not: small modules, tests that say what they check.

- every Python module under src/, tests/, bench/ and scripts/ has at most MAX_LINES lines;
- every test function has a one-line docstring naming the behaviour it checks.

Run by `make lint`; prints each breach as ``path:line: message`` and exits 1 if there is any.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

MAX_LINES = 400
FOLDERS = ("src", "tests", "bench", "scripts")


def modules(root: Path) -> Iterator[Path]:
    for folder in FOLDERS:
        yield from sorted((root / folder).rglob("*.py"))


def size_breaches(path: Path, text: str) -> Iterator[str]:
    lines = text.count("\n")
    if lines > MAX_LINES:
        yield f"{path}:1: {lines} lines, more than {MAX_LINES}: split it by concept"


def docstring_breaches(path: Path, text: str) -> Iterator[str]:
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not node.name.startswith("test_"):
            continue
        doc = ast.get_docstring(node)
        if not doc:
            yield f"{path}:{node.lineno}: {node.name} has no docstring saying what it checks"
        elif "\n" in doc.strip():
            yield f"{path}:{node.lineno}: {node.name}'s docstring is longer than one line"


def breaches(root: Path) -> Iterator[str]:
    for path in modules(root):
        text = path.read_text(encoding="utf-8")
        shown = path.relative_to(root)
        yield from size_breaches(shown, text)
        if shown.parts[0] == "tests" and path.name.startswith("test_"):
            yield from docstring_breaches(shown, text)


def main() -> int:
    found = list(breaches(Path(__file__).resolve().parent.parent))
    for breach in found:
        print(breach)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
