"""`healthcode demo officials` and `healthcode demo totp`: the console's demo accounts (an
official, a supervisor and an auditor, with the demo password and published TOTP seeds) and
the current code of one of them, for a newcomer without an authenticator app at hand."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console

from healthcode.cli.context import system
from healthcode.cli.options import JsonOpt
from healthcode.cli.output import emit, refusals
from healthcode.container import Container
from healthcode.identity.demo import demo_totp, seed_demo_officials

CONSOLE_URL = "http://127.0.0.1:8000/console"


def seed_officials(c: Container) -> list[dict[str, Any]]:
    """The demo accounts made (or kept) in ``c``'s database, as printed."""
    seeded = seed_demo_officials(uow=c.uow(), clock=c.clock, jurisdiction=c.settings.jurisdiction)
    return [vars(s) for s in seeded]


def print_officials(console: Console, accounts: list[dict[str, Any]]) -> None:
    console.print(
        f"console demo accounts (log in at {CONSOLE_URL}/login):", markup=False, soft_wrap=True
    )
    for a in accounts:
        state = "created" if a["created"] else "kept"
        console.print(
            f"  {a['username']} ({a['role']}, {state}): password {a['password']}, "
            f"TOTP seed {a['totp_secret']} (current code: healthcode demo totp {a['username']})",
            markup=False,
            highlight=False,
            soft_wrap=True,  # one account a line, whatever the terminal's width
        )


def officials(as_json: JsonOpt = False) -> None:
    """Make the console's demo accounts (demo.official, demo.supervisor, demo.auditor) and
    print their password and TOTP seeds. Idempotent: an existing account is kept."""
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        accounts = seed_officials(c)
    emit(accounts, as_json=as_json, human=lambda console: print_officials(console, accounts))


def totp(
    username: Annotated[str, typer.Argument(help="A demo account, e.g. demo.official.")],
    as_json: JsonOpt = False,
) -> None:
    """The current TOTP code of a demo account (computed from its published seed; no other
    account's secret is ever shown)."""
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        code, left = demo_totp(username, clock=c.clock)
    emit(
        {"username": username, "code": code, "valid_for_seconds": left},
        as_json=as_json,
        human=lambda console: console.print(f"{code} (valid for {left} s more)"),
    )
