"""Reading a password without putting it on the command line, where `ps`, the shell history
and process accounting would keep it: asked for (hidden, typed twice) or read from standard
input (``--password-stdin``, for scripts and secret stores)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from healthcode.cli.exit_codes import ExitCode
from healthcode.cli.output import refuse
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.text import secret_problem

PasswordStdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of standard input (e.g. `printf %s "
        '"$PW" | …`) instead of asking for it. There is no option taking the password '
        "itself: the command line is visible to every user of the machine.",
    ),
]


def read_password(*, from_stdin: bool, as_json: bool = False) -> str:
    """The password from the first line of standard input (its line break removed), or asked
    for on the terminal without echo and confirmed; the prompts go to stderr, so ``--json``
    output stays JSON. As typed: only a surrogate or NUL is refused (exit 64)."""
    if from_stdin:
        try:
            password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        except UnicodeDecodeError:
            refuse(
                InvalidInput.one("password", "must be UTF-8 text"),
                as_json=as_json,
                code=ExitCode.USAGE,
            )
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    problem = secret_problem(password)
    if problem is not None:
        refuse(InvalidInput.one("password", problem), as_json=as_json, code=ExitCode.USAGE)
    return password


def read_login(*, from_stdin: bool, as_json: bool = False) -> tuple[str, str]:
    """An official's password and one-time code: the first two lines of standard input, or
    asked for on the terminal (the password hidden, asked once); prompts go to stderr."""
    if from_stdin:
        try:
            password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
            code = sys.stdin.readline().strip()
        except UnicodeDecodeError:
            refuse(
                InvalidInput.one("password", "must be UTF-8 text"),
                as_json=as_json,
                code=ExitCode.USAGE,
            )
    else:
        password = typer.prompt("Password", hide_input=True, err=True)
        code = typer.prompt("One-time code", err=True).strip()
    problem = secret_problem(password)
    if problem is not None:
        refuse(InvalidInput.one("password", problem), as_json=as_json, code=ExitCode.USAGE)
    return password, code
