"""Storage on SQLAlchemy 2.0: models, repositories, unit of work, migrations."""

from healthcode.adapters.db import facts, people, status  # noqa: F401 - every table on Base
