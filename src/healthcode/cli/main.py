"""The `healthcode` command: the same use cases the API calls, for operators and scenarios.

Each feature lists its commands (``<feature>/commands``); ``healthcode.bootstrap`` collects them
and this module mounts them, with the commands that run the system (``cli.runtime``).

The root group ends every run with a code of ``cli.exit_codes``: a usage error (Click's own,
or an argument that is not UTF-8) is 64, not Click's 2 (which here means an invalid code), and
an unexpected exception is one line on stderr and 70, never a traceback."""

from __future__ import annotations

import sys
import tempfile
import traceback
from collections.abc import Sequence
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer import _click
from typer.core import TyperGroup

from healthcode import bootstrap
from healthcode.app import create_app
from healthcode.cli import runtime
from healthcode.cli.context import configure
from healthcode.cli.exit_codes import ExitCode
from healthcode.cli.output import refuse
from healthcode.cli.table import mount
from healthcode.kernel.errors import InvalidInput, Problem


def _not_utf8(args: Sequence[str]) -> Problem | None:
    """The problem with the first argument that is not UTF-8 text (Python hands such bytes
    over as lone surrogates), naming it by its option or position; None if all are text."""
    for i, arg in enumerate(args):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as error:
            raw = arg.encode("utf-8", "surrogateescape")
            byte = raw[len(arg[: error.start].encode("utf-8", "surrogateescape"))]
            if arg.startswith("--") and "=" in arg and error.start > arg.index("="):
                name = arg.split("=", 1)[0]
            elif i > 0 and args[i - 1].startswith("-") and not arg.startswith("-"):
                name = args[i - 1]
            else:
                name = f"argument {i + 1}"
            return Problem(
                name,
                f"is not UTF-8 text (byte 0x{byte:02x} at position {error.start}, "
                "read as a lone surrogate)",
            )
    return None


def _usage_error(problem: Problem, *, as_json: bool) -> NoReturn:
    """A usage error found before Click parses: printed as any refusal is, exit 64."""
    try:
        refuse(InvalidInput([problem]), as_json=as_json, code=ExitCode.USAGE)
    except typer.Exit as exited:
        sys.exit(exited.exit_code)


def _internal_error(error: BaseException) -> NoReturn:
    """One line instead of a traceback; the traceback goes to a private file it names."""
    try:
        with tempfile.NamedTemporaryFile(
            "w", prefix="healthcode-error-", suffix=".txt", delete=False, encoding="utf-8"
        ) as out:  # created 0600
            out.write("".join(traceback.format_exception(error)))
        where = f"details in {out.name}"
    except OSError:
        where = "the details could not be written"
    Console(stderr=True).print(
        f"[bold red]internal error:[/] {escape(type(error).__name__)} ({where}); please report it",
        highlight=False,
        soft_wrap=True,
    )
    sys.exit(ExitCode.INTERNAL)


class HealthcodeGroup(TyperGroup):
    """The root group: every way a run ends becomes a code of ``ExitCode``."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode:
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        bad = _not_utf8(argv)
        if bad is not None:
            _usage_error(bad, as_json="--json" in argv)
        try:
            returned = super().main(argv, prog_name, complete_var, False, **extra)
        except _click.exceptions.UsageError as error:
            if "--json" in argv:  # a machine reads stderr as JSON, as for any refusal
                _usage_error(Problem("command_line", error.format_message()), as_json=True)
            from typer import rich_utils

            rich_utils.rich_format_error(error)
            sys.exit(ExitCode.USAGE)
        except _click.exceptions.ClickException as error:  # a file Click could not open
            error.show()
            sys.exit(
                ExitCode.NO_INPUT
                if isinstance(error, _click.exceptions.FileError)
                else error.exit_code
            )
        except typer.Abort:
            Console(stderr=True).print("aborted")
            sys.exit(ExitCode.STOP)
        except Exception as error:
            _internal_error(error)
        sys.exit(returned if isinstance(returned, int) else ExitCode.OK)


app = typer.Typer(
    name="healthcode",
    cls=HealthcodeGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def healthcode() -> None:
    """Health codes with reasons, signed codes verified offline, audited data access."""
    configure(bootstrap.build, bootstrap.initialise, create_app)


mount(app, runtime.COMMANDS)
mount(app, bootstrap.COMMANDS)


if __name__ == "__main__":  # pragma: no cover
    app()
