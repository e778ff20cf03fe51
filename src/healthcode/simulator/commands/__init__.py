"""`healthcode simulate` and `simulate compare`: measured runs of the synthetic city."""

from __future__ import annotations

from healthcode.cli.table import CommandTable
from healthcode.simulator.commands.simulate import simulate_app

COMMANDS: CommandTable = (("simulate", simulate_app),)
