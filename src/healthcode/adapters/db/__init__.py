"""Storage on SQLAlchemy 2.0: models, repositories, unit of work, migrations."""

from healthcode.adapters.db import (  # noqa: F401 - every table on Base
    facts,
    identity,
    keys,
    outbox,
    oversight,
    people,
    status,
    tracing,
    venues,
)
