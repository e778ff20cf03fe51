"""The `healthcode` command: the same use cases the API calls, for operators and scenarios.

Each feature lists its commands (``<feature>/commands``); ``healthcode.bootstrap`` collects them
and this module mounts them, with the commands that run the system (``cli.runtime``)."""

from __future__ import annotations

import typer

from healthcode import bootstrap
from healthcode.cli import runtime
from healthcode.cli.context import configure
from healthcode.cli.table import mount

app = typer.Typer(
    name="healthcode",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def healthcode() -> None:
    """Health codes with reasons, signed codes verified offline, audited data access."""
    configure(bootstrap.build)


mount(app, runtime.COMMANDS)
mount(app, bootstrap.COMMANDS)


if __name__ == "__main__":  # pragma: no cover
    app()
