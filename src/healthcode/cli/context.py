"""Builds the container for a CLI command: settings from the environment, clock from ``--at``;
and, for the commands an official runs with ``--as``, that official's principal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from healthcode import bootstrap
from healthcode.adapters.clock import FixedClock, SystemClock
from healthcode.adapters.db.migrate import SchemaOutOfDate
from healthcode.adapters.personal_data import DataKeyError
from healthcode.cli.output import parse_at, refusals, refuse
from healthcode.config import Settings
from healthcode.domain.access import Principal
from healthcode.services.officials import official_principal


@contextmanager
def system(*, at: datetime | None = None, as_json: bool = False) -> Iterator[bootstrap.Container]:
    settings = Settings()
    try:
        container = bootstrap.build(
            settings, clock_factory=(lambda: FixedClock(at)) if at else SystemClock
        )
    except (DataKeyError, SchemaOutOfDate) as error:
        refuse(str(error), as_json=as_json)
    try:
        yield container
    finally:
        container.close()


@contextmanager
def acting_official(
    username: str, *, at: str | None = None, as_json: bool = False
) -> Iterator[tuple[bootstrap.Container, Principal]]:
    """The system as at ``--at`` and the official ``--as`` names, whose role the service it is
    given to checks and whose name it records. A domain error raised inside, or an unknown
    official, is a refusal: printed on stderr, exit 1."""
    with refusals(as_json=as_json), system(at=parse_at(at, as_json=as_json), as_json=as_json) as c:
        yield c, official_principal(uow=c.uow(), username=username)
