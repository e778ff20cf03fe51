"""Builds the container for a CLI command: settings from the environment, clock from ``--at``;
and, for the commands an official runs with ``--as``, that official's principal, from the session
`healthcode login` keeps for them (``cli.sessions``), checked in the database like an API
session. The operator holding the data key may instead read a person with ``--break-glass
REASON``: recorded as such in the access log and the break-glass log.

How to build the system is handed down by ``healthcode.cli.main`` (``configure``) when the root
command runs, so a feature's commands never import the bootstrap that lists them."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from healthcode.cli.exit_codes import ExitCode
from healthcode.cli.output import parse_at, refusals, refuse
from healthcode.cli.sessions import load_session, sessions_dir
from healthcode.container import Container
from healthcode.db.encryption import DataKeyError
from healthcode.db.migrate import SchemaOutOfDate
from healthcode.db.private_files import ExposedSecret
from healthcode.identity.authn import authenticate
from healthcode.kernel.clock import Clock, FixedClock, SystemClock
from healthcode.kernel.errors import InvalidInput, NotAuthenticated, Problem
from healthcode.kernel.text import TextKind, clean_text
from healthcode.oversight.access import OFFICIAL_ROLES, Principal
from healthcode.oversight.audit import ConsoleOperator, Reader
from healthcode.settings import Settings

Build = Callable[..., Container]


Initialise = Callable[[Settings], list[str]]


AppFactory = Callable[..., Any]
"""``healthcode.app.create_app``: the API of a container, for a command that serves one."""


class _Runtime:
    """How to build the system, as the root `healthcode` command was told."""

    build: Build | None = None
    initialise: Initialise | None = None
    app: AppFactory | None = None


def configure(
    build: Build, initialise: Initialise | None = None, app: AppFactory | None = None
) -> None:
    """Say how commands build the system, create a database and make the API of a system
    (``healthcode.cli.main`` does, before any runs)."""
    _Runtime.build = build
    _Runtime.initialise = initialise
    _Runtime.app = app


Runtime = tuple["Build | None", "Initialise | None", "AppFactory | None"]
"""How the root command said to build the system, for a worker process to be told the same."""


def runtime() -> Runtime:
    """How commands build the system here (``configure``), to hand to a worker process."""
    return _Runtime.build, _Runtime.initialise, _Runtime.app


def restore(told: Runtime) -> None:
    """In a worker process started afresh, build the system as its parent does (``runtime``)."""
    _Runtime.build, _Runtime.initialise, _Runtime.app = told


def api_of(container: Container) -> Any:
    """The HTTP API (the ASGI app ``healthcode serve`` serves) of ``container``: for a command
    that serves a system it built itself (`healthcode federation demo`)."""
    if _Runtime.app is None:
        raise RuntimeError("a healthcode command runs under healthcode.cli.main:app")
    return _Runtime.app(container=container)


@contextmanager
def scratch_system(folder: Path, *, jurisdiction: str, clock: Clock) -> Iterator[Container]:
    """A fresh system in ``folder`` (a new SQLite database and data key, nothing read from the
    environment) on ``clock``: for a simulated run, never the configured database. Its commits
    are not synced to disk (``bootstrap.build``'s ``scratch``): it is deleted after the run."""
    settings = Settings.model_construct(
        database_url=f"sqlite:///{folder / 'healthcode.db'}",
        data_key_file=folder / "data.key",
        keys_dir=folder / "keys",
        audit_anchor_dir=folder / "anchors",
        sms_file=folder / "sms.jsonl",
        jurisdiction=jurisdiction,
    )
    if _Runtime.initialise is None:
        raise RuntimeError("a healthcode command runs under healthcode.cli.main:app")
    _Runtime.initialise(settings)
    container = _build()(settings, clock_factory=lambda: clock, scratch=True)
    try:
        yield container
    finally:
        container.close()


def _build() -> Build:
    if _Runtime.build is None:
        raise RuntimeError("a healthcode command runs under healthcode.cli.main:app")
    return _Runtime.build


def missing_database(database_url: str) -> str | None:
    """Why the configured database cannot be there without being created (a SQLite file that
    does not exist: opening it would leave an empty one behind), or None."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return f"HEALTHCODE_DATABASE_URL {database_url!r} is not a database URL"
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if Path(url.database).exists():
        return None
    return (
        f"no database at {url.database} (from {Path.cwd()}): run `healthcode init`, "
        "or set HEALTHCODE_DATABASE_URL"
    )


def load_settings(*, as_json: bool = False) -> Settings:
    """The settings from the environment; an invalid one is refused by its variable (exit 78)."""
    try:
        return Settings()
    except ValidationError as error:
        refuse(
            InvalidInput(
                [
                    Problem("HEALTHCODE_" + "_".join(str(p) for p in e["loc"]).upper(), e["msg"])
                    for e in error.errors()
                ]
            ),
            as_json=as_json,
            code=ExitCode.CONFIG,
        )


@contextmanager
def system(*, at: datetime | None = None, as_json: bool = False) -> Iterator[Container]:
    """The system as configured; a database that is missing, unreachable or out of date, or
    a missing data key, is refused (exit 69) before anything is created; a data key or keys
    folder that others may read, as a setting to fix (exit 78)."""
    settings = load_settings(as_json=as_json)
    # without --at, the settings' clock (the real one, or HEALTHCODE_FIXED_CLOCK_AT's)
    clock_factory: Callable[[], Clock] | None = (lambda: FixedClock(at)) if at else None
    missing = missing_database(settings.database_url)
    if missing is not None:
        refuse(missing, as_json=as_json, code=ExitCode.UNAVAILABLE)
    try:
        container = _build()(settings, clock_factory=clock_factory)
    except (DataKeyError, SchemaOutOfDate) as error:
        refuse(str(error), as_json=as_json, code=ExitCode.UNAVAILABLE)
    except ExposedSecret as error:
        refuse(str(error), as_json=as_json, code=ExitCode.CONFIG)
    except OperationalError as error:
        refuse(unreachable(error), as_json=as_json, code=ExitCode.UNAVAILABLE)
    try:
        yield container
    finally:
        container.close()


def unreachable(error: OperationalError) -> str:
    """One line for a database that cannot be opened (the driver's first line, which names
    the database: ``database "x" does not exist``), never the SQL or its parameters."""
    first = str(error.orig or error).strip().splitlines()
    return f"cannot open the database: {first[0] if first else type(error).__name__}"


def console_operator(*, break_glass: str | None = None) -> ConsoleOperator:
    """Who runs this command, as the access log names them (``console:<system user>``); with
    ``break_glass``, the reason they read people without an official's session."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no login name and no password entry: a bare container
        name = f"uid-{os.getuid()}"
    return ConsoleOperator(name, reason=break_glass)


def session_principal(c: Container, username: str, *, as_json: bool = False) -> Principal:
    """The official ``--as`` names, from the session `healthcode login` keeps for them: live
    now (the settings' clock, whatever ``--at`` says), not revoked, the account active; else
    ``NotAuthenticated`` (or exit 78 for a session file others may read)."""
    username = clean_text(username, field="as", kind=TextKind.IDENTIFIER)
    try:
        stored = load_session(sessions_dir(c.settings), username)
    except ExposedSecret as error:
        refuse(f"{error}; then log in again", as_json=as_json, code=ExitCode.CONFIG)
    # the settings' clock, never --at's: a back-dated command must not revive an old session
    fixed = c.settings.fixed_clock_at
    try:
        principal = authenticate(
            uow=c.uow(),
            clock=FixedClock(fixed) if fixed is not None else SystemClock(),
            token=stored.token,
            jurisdiction=c.settings.jurisdiction,
        )
    except NotAuthenticated as refused:
        raise NotAuthenticated(
            f"{username}'s console session: {refused}; run `healthcode login --username {username}`"
        ) from None
    if principal.role not in OFFICIAL_ROLES or principal.name != username:
        raise NotAuthenticated(f"the session kept for {username!r} is not theirs: log in again")
    return principal


@contextmanager
def acting_official(
    username: str, *, at: str | None = None, as_json: bool = False
) -> Iterator[tuple[Container, Principal]]:
    """The system as at ``--at`` and the official ``--as`` names (by their console session),
    whose role the service it is given to checks and whose name it records. A domain error
    raised inside, or no live session, is a refusal: printed on stderr, exit 1."""
    with refusals(as_json=as_json), system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
        yield c, session_principal(c, username, as_json=as_json)


BREAK_GLASS_HELP = (
    "give --as NAME (an official logged in with `healthcode login`), or, as the operator "
    "holding the data key, --break-glass REASON (recorded as a break-glass read)"
)


@contextmanager
def reader(
    as_: str | None,
    break_glass: str | None,
    *,
    at: datetime | None = None,
    as_json: bool = False,
) -> Iterator[tuple[Container, Reader]]:
    """The system as at ``at`` and who reads: the official ``--as`` names (by their session) or
    the operator at the console breaking the glass for a stated reason; exactly one."""
    if (as_ is None) == (break_glass is None):
        refuse(InvalidInput.one("as", BREAK_GLASS_HELP), as_json=as_json, code=ExitCode.USAGE)
    with refusals(as_json=as_json), system(at=at, as_json=as_json) as c:
        if as_ is not None:
            yield c, session_principal(c, as_, as_json=as_json)
            return
        reason = clean_text(str(break_glass), field="break_glass", kind=TextKind.TEXT).strip()
        if len(reason) < MIN_BREAK_GLASS_REASON:
            raise InvalidInput.one(
                "break_glass", f"must say why, in at least {MIN_BREAK_GLASS_REASON} characters"
            )
        yield c, console_operator(break_glass=reason)


MIN_BREAK_GLASS_REASON = 10
