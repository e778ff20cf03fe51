"""How the CLI speaks: JSON for machines, Rich for people, refusals on stderr with exit 1."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, NoReturn, overload

import typer
from rich.console import Console
from rich.markup import escape

from healthcode.kernel.errors import Conflict, DomainError, InvalidInput
from healthcode.kernel.times import time_problem

EXIT_REFUSED = 1


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
        Console(stderr=True).print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


@contextmanager
def refusals(*, as_json: bool) -> Iterator[None]:
    """Turn domain errors raised inside into a clean refusal (stderr, exit 1)."""
    try:
        yield
    except DomainError as error:
        refuse(error, as_json=as_json)


@overload
def parse_time(value: str, *, field: str, as_json: bool) -> datetime: ...


@overload
def parse_time(value: None, *, field: str, as_json: bool) -> None: ...


@overload
def parse_time(value: str | None, *, field: str, as_json: bool) -> datetime | None: ...


def parse_time(value: str | None, *, field: str, as_json: bool) -> datetime | None:
    """Parse a time option: ISO 8601 with a zone (a time without one is refused, never
    guessed) from 2000-01-01 to before 2100-01-01, the refusal naming ``field``."""
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        refuse(InvalidInput.one(field, f"{value!r} is not an ISO 8601 time"), as_json=as_json)
    problem = time_problem(at)
    if problem is not None:
        refuse(InvalidInput.one(field, problem), as_json=as_json)
    return at


def parse_at(value: str | None, *, as_json: bool) -> datetime | None:
    """Parse ``--at``."""
    return parse_time(value, field="at", as_json=as_json)
