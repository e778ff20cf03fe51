"""Secrets at rest are the service user's alone: the SQLite database and its logs are 0600 from
their creation, and a data key, keys folder or key that others may read stops the system from
starting (the CLI with exit 78, the API at startup)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import text

from cli_helpers import run
from healthcode import bootstrap
from healthcode.app import create_app
from healthcode.cli.exit_codes import ExitCode
from healthcode.db.encryption import create_key_file
from healthcode.db.engine import build_engine
from healthcode.db.private_files import ExposedSecret
from healthcode.settings import Settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual umask (022), under which files are created readable by everyone."""
    before = os.umask(0o022)
    yield
    os.umask(before)


@pytest.fixture
def fresh(tmp_path: Path) -> Settings:
    """Settings for a SQLite service not yet initialised, under ``tmp_path/var``."""
    var = tmp_path / "var"
    return Settings(
        database_url=f"sqlite:///{var / 'healthcode.db'}",
        data_key_file=tmp_path / "secrets" / "data.key",
        keys_dir=var / "keys",
    )


@pytest.mark.usefixtures("loose_umask")
def test_init_and_writes_leave_the_database_and_its_logs_0600(fresh: Settings) -> None:
    """After `init` and while a connection writes, the database, -wal and -shm are 0600."""
    bootstrap.initialise(fresh)
    database = Path(fresh.database_url.removeprefix("sqlite:///"))
    assert _mode(database) == 0o600
    assert _mode(database.parent) == 0o700
    container = bootstrap.build(fresh)
    try:
        with container.engine.begin() as conn:
            conn.execute(text("CREATE TABLE scratch (x TEXT)"))
            conn.execute(text("INSERT INTO scratch VALUES ('personal')"))
        with container.engine.connect() as conn:  # the logs exist while a connection is open
            conn.execute(text("SELECT count(*) FROM scratch")).scalar()
            logs = [Path(f"{database}-wal"), Path(f"{database}-shm")]
            assert all(p.exists() for p in logs)
            assert {_mode(p) for p in [database, *logs]} == {0o600}
    finally:
        container.close()


@pytest.mark.usefixtures("loose_umask")
def test_a_loose_database_and_log_are_made_private_on_connect(tmp_path: Path) -> None:
    """A database and -wal left 0644 by an older version lose group and others' access."""
    database = tmp_path / "old.db"
    database.touch(mode=0o644)
    wal = Path(f"{database}-wal")
    wal.touch(mode=0o644)
    os.chmod(database, 0o644)
    os.chmod(wal, 0o644)
    engine = build_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    assert _mode(database) == 0o600
    assert not wal.exists() or _mode(wal) == 0o600


def _initialised(fresh: Settings) -> Settings:
    bootstrap.initialise(fresh)
    container = bootstrap.build(fresh)
    try:
        container.private_keys.save("0123456789abcdef", Ed25519PrivateKey.generate())
    finally:
        container.close()
    return fresh


@pytest.mark.parametrize(
    ("target", "mode"),
    [
        ("data_key", 0o640),
        ("data_key", 0o604),
        ("keys_dir", 0o750),
        ("keys_dir", 0o705),
        ("key", 0o640),
        ("key", 0o644),
    ],
)
def test_secrets_others_may_read_are_refused_at_build(
    fresh: Settings, target: str, mode: int
) -> None:
    """A group- or world-readable data key, keys folder or key stops the build, naming both."""
    settings = _initialised(fresh)
    path = {
        "data_key": settings.data_key_file,
        "keys_dir": settings.keys_dir,
        "key": settings.keys_dir / "0123456789abcdef.key",
    }[target]
    os.chmod(path, mode)
    with pytest.raises(ExposedSecret) as refused:
        bootstrap.build(settings)
    assert str(path) in str(refused.value)
    assert f"{mode:04o}" in str(refused.value)


def test_a_data_key_outside_the_data_folder_is_used(fresh: Settings) -> None:
    """HEALTHCODE_DATA_KEY_FILE may point anywhere (a secrets mount): init creates it there."""
    bootstrap.initialise(fresh)
    assert fresh.data_key_file.parent.name == "secrets"
    assert _mode(fresh.data_key_file) == 0o600
    bootstrap.build(fresh).close()


def _cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("HEALTHCODE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HEALTHCODE_DATA_KEY_FILE", str(settings.data_key_file))
    monkeypatch.setenv("HEALTHCODE_KEYS_DIR", str(settings.keys_dir))


@pytest.mark.parametrize("command", [("init",), ("worker", "--once")])
def test_the_cli_refuses_an_exposed_data_key_with_exit_78(
    fresh: Settings, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    """`init` and every command on the system exit 78 naming the key file and its mode."""
    settings = _initialised(fresh)
    os.chmod(settings.data_key_file, 0o644)
    _cli_env(monkeypatch, settings)
    code, _, err = run(*command)
    assert code == ExitCode.CONFIG
    assert str(settings.data_key_file) in "".join(err.split())  # the console may wrap it
    assert "0644" in err


def test_the_api_refuses_to_start_with_an_exposed_keys_folder(fresh: Settings) -> None:
    """The app's startup fails when the keys folder is readable by others."""
    settings = _initialised(fresh)
    os.chmod(settings.keys_dir, 0o755)  # noqa: S103 - the exposure under test
    with pytest.raises(ExposedSecret), TestClient(create_app(settings)):
        pass


def test_a_fresh_key_file_is_created_private(tmp_path: Path) -> None:
    """create_key_file writes the key 0600 whatever the umask."""
    before = os.umask(0o000)
    try:
        create_key_file(tmp_path / "k")
    finally:
        os.umask(before)
    assert _mode(tmp_path / "k") == 0o600
