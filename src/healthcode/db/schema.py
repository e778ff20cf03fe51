"""Every table of every feature on one metadata: what migrations are written and checked against."""

from __future__ import annotations

from types import ModuleType

from sqlalchemy import MetaData

from healthcode.appeals import tables as appeals_tables
from healthcode.codes import tables as codes_tables
from healthcode.db import facts as fact_tables
from healthcode.db.base import Base
from healthcode.federation import arrivals_tables, visitors_tables
from healthcode.federation import tables as federation_tables
from healthcode.identity import tables as identity_tables
from healthcode.jobs import tables as jobs_tables
from healthcode.oversight import tables as oversight_tables
from healthcode.policies import tables as policies_tables
from healthcode.presence import tables as presence_tables
from healthcode.status import tables as status_tables
from healthcode.tracing import tables as tracing_tables

TABLE_MODULES: tuple[ModuleType, ...] = (
    fact_tables,
    identity_tables,
    oversight_tables,
    status_tables,
    policies_tables,
    codes_tables,
    presence_tables,
    tracing_tables,
    jobs_tables,
    appeals_tables,
    federation_tables,
    visitors_tables,
    arrivals_tables,
)
"""Each feature's tables; a table not listed here is not migrated."""


def metadata() -> MetaData:
    """The metadata holding every table of ``TABLE_MODULES``."""
    return Base.metadata
