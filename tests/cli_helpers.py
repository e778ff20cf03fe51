"""Running the `healthcode` command line in tests, through the Typer runner."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from typer.testing import CliRunner

from healthcode.cli.main import app
from healthcode.kernel.clock import SystemClock
from identity_helpers import PASSWORD, OfficialKit, totp_code, totp_secret


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one command (given ``stdin`` as its standard input)."""
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str) -> Any:
    """The JSON a command prints with `--json`; it must succeed."""
    code, out, err = run(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def add_official(
    username: str, role: str, jurisdiction: str = "330100", *, log_in: bool = True
) -> dict[str, str]:
    """`healthcode official add` with a test password on stdin, then (``log_in``) `healthcode
    login` as them; the created account."""
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
    if log_in:
        login(username, totp_secret(created["totp_uri"]))
    return created


def current_code(secret: str, *, step: int = 0) -> str:
    """The one-time code of the real time step (``step`` steps on: a second login within 30 s
    needs the next step's code)."""
    # the session is checked against the real clock (a console session lives in real time,
    # whatever --at a command is run at), so the code is the one of the real time
    return totp_code(secret, SystemClock().now() + timedelta(seconds=30 * step))


def login_with(username: str, code: str) -> tuple[int, str, str]:
    """`healthcode login --stdin` with the test password and this one-time code."""
    stdin = f"{PASSWORD}\n{code}\n"
    return run("login", "--username", username, "--stdin", "--json", stdin=stdin)


def login_attempt(username: str, secret: str, *, step: int = 0) -> tuple[int, str, str]:
    """`healthcode login --stdin` with the test password and the code of the real time step."""
    return login_with(username, current_code(secret, step=step))


def login(username: str, secret: str) -> None:
    """Log the official in at the console (their session file is then used by `--as`)."""
    code, _, err = login_attempt(username, secret)
    if code != 0:  # this time step's code was used already by this official
        code, _, err = login_attempt(username, secret, step=1)
    assert code == 0, err


def login_kit(*kits: OfficialKit) -> None:
    """Log in officials made at the service level (``identity_helpers.add_test_official``)."""
    for kit in kits:
        login(kit.username, kit.secret)
