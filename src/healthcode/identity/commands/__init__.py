"""`healthcode register|person|official|channel|demo`: people, officials' accounts, channels and
the demo channels."""

from __future__ import annotations

from healthcode.cli.table import CommandTable
from healthcode.identity.commands import officials, people

COMMANDS: CommandTable = (*people.COMMANDS[:2], *officials.COMMANDS, *people.COMMANDS[2:])
