"""`healthcode login|logout`: an official's console session, opened with password and TOTP by
the login use case the API calls, and kept in a file of mode 0600 for the commands run
``--as`` them (``cli.sessions``)."""

from __future__ import annotations

from typing import Annotated

import typer

from healthcode.cli.context import system
from healthcode.cli.options import AsOpt, JsonOpt
from healthcode.cli.output import emit, refusals
from healthcode.cli.secret_input import read_login
from healthcode.cli.sessions import (
    StoredSession,
    forget_session,
    load_session,
    save_session,
    sessions_dir,
)
from healthcode.cli.table import CommandTable
from healthcode.identity.officials import log_in_official
from healthcode.identity.website import log_out
from healthcode.kernel.errors import NotAuthenticated

StdinOpt = Annotated[
    bool,
    typer.Option(
        "--stdin",
        help="Read the password, then the one-time code, from the first two lines of standard "
        "input instead of asking for them (never arguments: the command line is visible).",
    ),
]


def login(
    username: Annotated[str, typer.Option("--username", help="The official's login name.")],
    stdin: StdinOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Log in as an official (password and TOTP code, each code once): the session is kept in
    a file of mode 0600 for commands run `--as USERNAME`, until it expires (8 h), is logged
    out, or the account is disabled."""
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        password, code = read_login(from_stdin=stdin, as_json=as_json)
        issued = log_in_official(
            uow=c.uow(), clock=c.clock, username=username, password=password, totp_code=code
        )
        path = save_session(
            sessions_dir(c.settings),
            StoredSession(
                username=issued.principal.name, token=issued.token, expires_at=issued.expires_at
            ),
        )
    payload = {
        "username": issued.principal.name,
        "role": issued.principal.role.value,
        "expires_at": issued.expires_at,
        "session_file": str(path),
    }
    emit(
        payload,
        as_json=as_json,
        human=lambda console: console.print(
            f"logged in as {issued.principal.role.value} {issued.principal.name} until "
            f"{issued.expires_at:%Y-%m-%d %H:%M}Z (session in {path})"
        ),
    )


def logout(as_: AsOpt, as_json: JsonOpt = False) -> None:
    """End the official's console session: revoked in the database, its file deleted."""
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        folder = sessions_dir(c.settings)
        try:
            stored = load_session(folder, as_, check_mode=False)
        except NotAuthenticated:
            if not forget_session(folder, as_):
                raise
        else:
            log_out(uow=c.uow(), clock=c.clock, token=stored.token)
            forget_session(folder, as_)
    emit(
        {"username": as_, "logged_out": True},
        as_json=as_json,
        human=lambda console: console.print(f"logged out {as_}"),
    )


COMMANDS: CommandTable = (("login", login), ("logout", logout))
