"""`official add` never takes the password as an argument (where `ps` and the shell history
would keep it): it asks for it hidden, or reads it from standard input."""

from __future__ import annotations

import json
from datetime import datetime

from fastapi.testclient import TestClient

from cli_helpers import run
from healthcode.cli.exit_codes import ExitCode
from healthcode.kernel.clock import FixedClock
from healthcode.settings import Settings
from identity_helpers import totp_code, totp_secret

ADD = ("official", "add", "--username", "wang", "--role", "admin", "--jurisdiction", "330100")
SECRET = "Ji\u0301ngcha correct horse"  # kept as typed: not normalised


def _logs_in(client: TestClient, created: dict[str, str], password: str, now: datetime) -> int:
    code = totp_code(totp_secret(created["totp_uri"]), now)
    answer = client.post(
        "/api/v1/officials/login",
        json={"username": created["username"], "password": password, "totp": code},
    )
    return answer.status_code


def test_a_password_argument_is_a_usage_error(cli_env: Settings) -> None:
    """`--password X` is no longer an option: exit 64, and no account is created."""
    code, _, _ = run(*ADD, "--password", SECRET, "--json")
    assert code == ExitCode.USAGE
    code, out, err = run(*ADD, "--password-stdin", "--json", stdin=SECRET)
    assert code == 0, err  # the name was not taken by the refused call
    assert json.loads(out)["username"] == "wang"


def test_password_stdin_sets_the_password_as_typed(
    cli_env: Settings, client: TestClient, clock: FixedClock
) -> None:
    """The first line of stdin (line break removed) is the password the official logs in with."""
    code, out, err = run(*ADD, "--password-stdin", "--json", stdin=SECRET + "\nignored\n")
    assert code == 0, err
    created = json.loads(out)
    assert _logs_in(client, created, SECRET, clock.now()) == 200


def test_the_prompt_is_hidden_confirmed_and_off_stdout(
    cli_env: Settings, client: TestClient, clock: FixedClock
) -> None:
    """Without --password-stdin the password is asked twice on stderr; --json stdout stays JSON."""
    code, out, err = run(*ADD, "--json", stdin=f"{SECRET}\n{SECRET}\n")
    assert code == 0, err
    assert "Password" in err and SECRET not in out + err  # not echoed
    created = json.loads(out)
    assert _logs_in(client, created, SECRET, clock.now()) == 200


def test_a_password_with_nul_on_stdin_is_refused(cli_env: Settings) -> None:
    """A NUL in the password read from stdin is a usage error naming the password."""
    code, _, err = run(*ADD, "--password-stdin", "--json", stdin="correct\x00horse battery\n")
    assert code == ExitCode.USAGE
    assert json.loads(err)["problems"][0]["field"] == "password"
