"""How a feature hands its commands to `healthcode`: a table of names and Typer groups or
command functions, which ``healthcode.bootstrap`` collects and ``healthcode.cli.main`` mounts.

Mounting puts every command behind the text rule for its arguments (``kernel/text.py``): each
text argument or option is normalised to NFC and refused as a usage error (stderr, exit 64,
naming the option)
when it holds a lone surrogate (what a non-UTF-8 argument decodes to), a control character
other than tab and line breaks, or a bidirectional control, or is longer than 8,192
characters. Passwords and secrets are taken as typed (only a surrogate or NUL is refused). The
use cases then apply the rule of each field's kind (names, identifiers…)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any, get_type_hints

import typer
from typer.models import OptionInfo, ParameterInfo

from healthcode.cli.exit_codes import ExitCode
from healthcode.cli.output import refuse
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.text import TextKind, normalise, secret_problem, text_problem

CommandTable = Sequence[tuple[str, typer.Typer | Callable[..., Any]]]
_ARGUMENT_KIND = TextKind.TEXT
_ARGUMENT_LIMIT = TextKind.TOKEN.limit
_SECRET_WORDS = ("password", "secret")


def _option_names(command: Callable[..., Any]) -> dict[str, str]:
    """How the user writes each parameter: ``--as`` for an option, its name for an argument."""
    names: dict[str, str] = {}
    hints = get_type_hints(command, include_extras=True)
    for name, parameter in inspect.signature(command).parameters.items():
        infos = [*getattr(hints.get(name), "__metadata__", ()), parameter.default]
        info = next((i for i in infos if isinstance(i, ParameterInfo)), None)
        if isinstance(info, OptionInfo):
            declared = [d for d in info.param_decls or () if d.startswith("--")]
            names[name] = declared[0] if declared else "--" + name.replace("_", "-")
        else:
            names[name] = name
    return names


def _clean(name: str, value: object, shown: str) -> object:
    """``value`` with its text normalised, or ``InvalidInput`` naming the parameter as
    ``shown``."""
    if isinstance(value, list | tuple):
        return type(value)(_clean(name, item, shown) for item in value)
    if not isinstance(value, str):
        return value
    if any(word in name for word in _SECRET_WORDS):  # compared as typed: never normalised
        secret = secret_problem(value)
        if secret is not None:
            raise InvalidInput.one(shown, secret)
        return value
    clean = normalise(value)
    problem = text_problem(clean, _ARGUMENT_KIND)
    if problem is None and len(clean) > _ARGUMENT_LIMIT:
        problem = f"must be at most {_ARGUMENT_LIMIT} characters"
    if problem is not None:
        raise InvalidInput.one(shown, problem)
    return clean


def checked(command: Callable[..., Any]) -> Callable[..., Any]:
    """``command`` behind the text rule for its arguments (once, however often mounted)."""
    if getattr(command, "text_checked", False):
        return command

    shown = _option_names(command)

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            kwargs = {
                name: _clean(name, value, shown.get(name, name)) for name, value in kwargs.items()
            }
        except InvalidInput as refused:
            refuse(refused, as_json=kwargs.get("as_json") is True, code=ExitCode.USAGE)
        return command(*args, **kwargs)

    run.text_checked = True  # type: ignore[attr-defined]
    return run


def _check_group(group: typer.Typer) -> None:
    for info in group.registered_commands:
        if info.callback is not None:
            info.callback = checked(info.callback)
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            _check_group(sub.typer_instance)


def mount(app: typer.Typer, commands: CommandTable) -> None:
    """Add each group (``healthcode NAME …``) or command (``healthcode NAME``) to ``app``,
    every command behind the text rule for its arguments."""
    for name, command in commands:
        if isinstance(command, typer.Typer):
            _check_group(command)
            app.add_typer(command, name=name)
        else:
            app.command(name)(checked(command))
