"""Builds the container for a CLI command: settings from the environment, clock from ``--at``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from healthcode import bootstrap
from healthcode.adapters.clock import FixedClock, SystemClock
from healthcode.adapters.db.migrate import SchemaOutOfDate
from healthcode.adapters.personal_data import DataKeyError
from healthcode.cli.output import refuse
from healthcode.config import Settings


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
