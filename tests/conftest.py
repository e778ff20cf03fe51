"""Fixtures shared by every test: a fresh migrated database per test, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from healthcode import bootstrap
from healthcode.app import create_app
from healthcode.container import Container
from healthcode.db.encryption import create_key_file
from healthcode.db.engine import build_engine
from healthcode.db.migrate import upgrade
from healthcode.kernel.clock import FixedClock
from healthcode.settings import Settings

POSTGRES_ADMIN_URL = os.environ.get(
    "HEALTHCODE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")
T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)  # 09:00 in China


def _admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies, so migrations run once per session."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = build_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated PostgreSQL database that each test clones; dropped at the end of the session."""
    name = f"hc_template_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        pytest.fail(
            f"PostgreSQL at {POSTGRES_ADMIN_URL} is not usable ({error}); "
            "run `make services` (make test does) to start it"
        )
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = build_engine(url)
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database of each backend, private to one test."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "healthcode.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"hc_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database of each backend with no schema at all (to migrate step by step)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"hc_empty_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    key_file = tmp_path / "data.key"
    create_key_file(key_file)
    return Settings(
        database_url=database_url,
        data_key_file=key_file,
        keys_dir=tmp_path / "keys",
        audit_anchor_dir=tmp_path / "anchors",
        sms_file=tmp_path / "sms.jsonl",
        jurisdiction="330100",
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def container(settings: Settings, clock: FixedClock) -> Iterator[Container]:
    built = bootstrap.build(settings, clock_factory=lambda: clock)
    yield built
    built.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    """An HTTP client on an app built around the test's container."""
    with TestClient(create_app(container=container)) as test_client:
        yield test_client


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    """Point the CLI (which reads the environment) at this test's database, key and folder of
    officials' console sessions."""
    monkeypatch.setenv("HEALTHCODE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HEALTHCODE_DATA_KEY_FILE", str(settings.data_key_file))
    monkeypatch.setenv("HEALTHCODE_JURISDICTION", settings.jurisdiction)
    monkeypatch.setenv("HEALTHCODE_KEYS_DIR", str(settings.keys_dir))
    monkeypatch.setenv("HEALTHCODE_AUDIT_ANCHOR_DIR", str(settings.audit_anchor_dir))
    monkeypatch.setenv("HEALTHCODE_SMS_FILE", str(settings.sms_file))
    monkeypatch.setenv("HEALTHCODE_SESSIONS_DIR", str(tmp_path / "sessions"))
    return settings


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with tiny costs in tests (production keeps argon2-cffi's defaults)."""
    from argon2 import PasswordHasher

    from healthcode.identity import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", lambda: cheap)
    monkeypatch.setattr(passwords, "_dummy_hash", lambda: cheap.hash("not a password"))
