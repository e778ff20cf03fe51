"""Storage on SQLAlchemy 2.0: models, repositories, unit of work, migrations."""

from healthcode.adapters.db import facts, people  # noqa: F401 - register every table on Base
