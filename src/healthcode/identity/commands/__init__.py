"""`healthcode register|person|login|logout|official|channel|demo`: people, officials' console
sessions and accounts, channels and the demo channels."""

from __future__ import annotations

from healthcode.cli.table import CommandTable
from healthcode.identity.commands import logins, officials, people

COMMANDS: CommandTable = (
    *people.COMMANDS[:2],
    *logins.COMMANDS,
    *officials.COMMANDS,
    *people.COMMANDS[2:],
)
