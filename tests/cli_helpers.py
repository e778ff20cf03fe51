"""Running the `healthcode` command line in tests, through the Typer runner."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from healthcode.cli.main import app
from identity_helpers import PASSWORD


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one command (given ``stdin`` as its standard input)."""
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str) -> Any:
    """The JSON a command prints with `--json`; it must succeed."""
    code, out, err = run(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def add_official(username: str, role: str, jurisdiction: str = "330100") -> dict[str, str]:
    """`healthcode official add` with a test password on stdin; the created account."""
    code, out, err = run(
        "official",
        "add",
        "--username",
        username,
        "--role",
        role,
        "--jurisdiction",
        jurisdiction,
        "--password-stdin",
        "--json",
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    created = json.loads(out)
    assert isinstance(created, dict)
    return created
