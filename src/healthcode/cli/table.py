"""How a feature hands its commands to `healthcode`: a table of names and Typer groups or
command functions, which ``healthcode.bootstrap`` collects and ``healthcode.cli.main`` mounts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import typer

CommandTable = Sequence[tuple[str, typer.Typer | Callable[..., Any]]]


def mount(app: typer.Typer, commands: CommandTable) -> None:
    """Add each group (``healthcode NAME …``) or command (``healthcode NAME``) to ``app``."""
    for name, command in commands:
        if isinstance(command, typer.Typer):
            app.add_typer(command, name=name)
        else:
            app.command(name)(command)
