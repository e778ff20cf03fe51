"""How the CLI speaks: JSON for machines, Rich for people, refusals on stderr with an exit code
of ``cli.exit_codes`` (1 for a refusal; 64 for a time option that is no ISO 8601 time)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn, overload

import typer
from rich.console import Console
from rich.markup import escape

from healthcode.cli.exit_codes import ExitCode
from healthcode.kernel.errors import Conflict, DomainError, InvalidInput
from healthcode.kernel.times import time_problem

EXIT_REFUSED = ExitCode.STOP
USAGE = ExitCode.USAGE


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def emit(payload: Any, *, as_json: bool, human: Callable[[Console], None] | None = None) -> None:
    if as_json or human is None:
        typer.echo(json.dumps(payload, ensure_ascii=False, default=_default))
    else:
        human(Console())


def refuse(error: DomainError | str, *, as_json: bool, code: int = EXIT_REFUSED) -> NoReturn:
    message = str(error)
    if as_json:
        body: dict[str, Any] = {"error": message}
        if isinstance(error, InvalidInput):
            body["problems"] = [{"field": p.field, "message": p.message} for p in error.problems]
        elif isinstance(error, Conflict):
            body["problems"] = [{"field": error.field, "message": error.message}]
        typer.echo(json.dumps(body, ensure_ascii=False), err=True)
    else:
        # a message may hold brackets (a field's value, a list): print them, not as markup
        Console(stderr=True).print(
            f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True
        )
    raise typer.Exit(code)


@contextmanager
def refusals(*, as_json: bool) -> Iterator[None]:
    """Turn domain errors raised inside into a clean refusal (stderr, exit 1)."""
    try:
        yield
    except DomainError as error:
        refuse(error, as_json=as_json)


def read_text_file(path: Path, *, field: str = "file", encoding: str = "utf-8") -> str:
    """A text file named on the command line; one that cannot be read, or is not UTF-8, is
    refused naming ``field`` (``file: is not UTF-8 text (byte 0xff at 39)``)."""
    try:
        return path.read_bytes().decode(encoding)
    except OSError as error:
        raise InvalidInput.one(field, f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        byte = error.object[error.start]
        raise InvalidInput.one(
            field, f"is not UTF-8 text (byte 0x{byte:02x} at {error.start})"
        ) from None


@contextmanager
def invalid_code(*, as_json: bool, field: str) -> Iterator[None]:
    """A refusal whose every problem is the scanned code's (``field``) is an invalid code:
    exit 2, as `scan` and `verify` answer for a code that is not valid."""
    try:
        yield
    except InvalidInput as error:
        if error.problems and all(p.field == field for p in error.problems):
            refuse(error, as_json=as_json, code=ExitCode.INVALID_CODE)
        raise


@overload
def parse_time(value: str, *, field: str, as_json: bool) -> datetime: ...


@overload
def parse_time(value: None, *, field: str, as_json: bool) -> None: ...


@overload
def parse_time(value: str | None, *, field: str, as_json: bool) -> datetime | None: ...


def parse_time(value: str | None, *, field: str, as_json: bool) -> datetime | None:
    """Parse a time option: ISO 8601 with a zone (a time without one is refused, never
    guessed) from 2000-01-01 to before 2100-01-01, the refusal naming ``field``: a usage error
    (exit 64)."""
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        message = f"{value!r} is not an ISO 8601 time"
        refuse(InvalidInput.one(field, message), as_json=as_json, code=USAGE)
    problem = time_problem(at)
    if problem is not None:
        refuse(InvalidInput.one(field, problem), as_json=as_json, code=USAGE)
    return at


def parse_at(value: str | None, *, as_json: bool) -> datetime | None:
    """Parse ``--at``."""
    return parse_time(value, field="at", as_json=as_json)
