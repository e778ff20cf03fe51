"""A command group with a default command: `healthcode scan TOKEN …` runs `scan check TOKEN …`
while `healthcode scan upload …` runs `upload`."""

from __future__ import annotations

from typing import Any

from typer.core import TyperGroup


def default_command(name: str) -> type[TyperGroup]:
    """A group class that runs ``name`` when the first argument names no command."""

    class DefaultCommandGroup(TyperGroup):
        def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
            if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
                args = [name, *args]
            return super().parse_args(ctx, args)

    return DefaultCommandGroup
