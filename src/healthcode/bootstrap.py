"""The one place that builds the running system from settings: engine, keys, unit of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from healthcode.adapters.clock import SystemClock
from healthcode.adapters.db.engine import build_engine, build_session_factory
from healthcode.adapters.db.migrate import (
    SchemaOutOfDate,
    check_collation,
    check_current,
    upgrade,
)
from healthcode.adapters.db.policies import ParsedPolicyCache
from healthcode.adapters.db.unit_of_work import SqlUnitOfWork
from healthcode.adapters.key_files import PrivateKeyFiles
from healthcode.adapters.personal_data import (
    PersonalDataCipher,
    create_key_file,
    read_key_file,
)
from healthcode.config import Settings
from healthcode.services.ports import Clock


@dataclass
class Container:
    """Everything a use case needs, built once per process (or per test)."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    cipher: PersonalDataCipher
    clock: Clock = field(default_factory=SystemClock)
    policy_cache: ParsedPolicyCache = field(default_factory=ParsedPolicyCache)

    @property
    def private_keys(self) -> PrivateKeyFiles:
        return PrivateKeyFiles(self.settings.keys_dir, self.cipher)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.session_factory, self.cipher, self.policy_cache)

    def close(self) -> None:
        self.engine.dispose()


def initialise(settings: Settings) -> list[str]:
    """Create or migrate the database and create the data key if there is none.

    Returns what was done, in words. Never overwrites an existing key."""
    done: list[str] = []
    if not settings.data_key_file.exists():
        create_key_file(settings.data_key_file)
        done.append(f"created data key {settings.data_key_file}")
    else:
        read_key_file(settings.data_key_file)
        done.append(f"kept existing data key {settings.data_key_file}")
    engine = build_engine(settings.database_url)
    try:
        check_collation(engine)
        upgrade(engine)
    finally:
        engine.dispose()
    done.append("database schema is up to date")
    return done


def build(settings: Settings, *, clock_factory: Callable[[], Clock] = SystemClock) -> Container:
    """Build the system for an initialised database and key (see ``initialise``)."""
    engine = build_engine(settings.database_url)
    try:
        check_current(engine)
    except SchemaOutOfDate:
        engine.dispose()
        raise
    return Container(
        settings=settings,
        engine=engine,
        session_factory=build_session_factory(engine),
        cipher=PersonalDataCipher(read_key_file(settings.data_key_file)),
        clock=clock_factory(),
    )
