"""Exit codes from one table, usage errors that are not "invalid code", and no traceback on
the command line whatever it is given."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import healthcode
from healthcode.cli import context
from healthcode.cli.exit_codes import ExitCode
from healthcode.cli.main import app
from healthcode.settings import Settings

DOCS = Path(__file__).parents[2] / "docs" / "cli.md"


def _run(*args: str) -> tuple[int, str, str, BaseException | None]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr, result.exception


def _documented() -> dict[int, str]:
    """The rows ``| code | `NAME` | meaning |`` of the exit-code table in docs/cli.md."""
    section = DOCS.read_text(encoding="utf-8").split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    return {
        int(code): name for code, name in re.findall(r"^\| (\d+) \| `([A-Z_]+)` \|", section, re.M)
    }


def test_the_documented_table_is_the_enum() -> None:
    """docs/cli.md lists exactly the codes and names of ``ExitCode``."""
    assert _documented() == {int(c): c.name for c in ExitCode}


@pytest.mark.parametrize(
    "args",
    [
        ("no-such-command",),
        ("status",),  # a missing argument
        ("scan", "--bogus"),
        ("worker", "--interval", "soon"),  # a value of the wrong type
        ("keys",),  # a group without a command prints its help
    ],
)
def test_usage_errors_exit_64_not_2(args: tuple[str, ...]) -> None:
    """Click's usage errors exit 64, so 2 means only an invalid code."""
    code, _, _, _ = _run(*args)
    assert code == ExitCode.USAGE


def test_a_usage_error_with_json_is_json() -> None:
    """With --json, a usage error on stderr is a JSON refusal too."""
    code, _, err, _ = _run("status", "--bogus", "--json")
    assert code == ExitCode.USAGE
    assert json.loads(err)["problems"] == [
        {"field": "command_line", "message": "No such option: --bogus"}
    ]


def test_help_exits_0() -> None:
    """--help is not an error."""
    assert _run("--help")[0] == 0 and _run("scan", "--help")[0] == 0


def test_a_non_utf8_argument_is_a_usage_error_naming_it() -> None:
    """A non-UTF-8 argument (a lone surrogate) is a usage error naming its option."""
    code, _, err, _ = _run("register", "--name", "张\udcff", "--json")
    assert code == ExitCode.USAGE
    [problem] = json.loads(err)["problems"]
    assert problem["field"] == "--name"
    assert problem["message"].startswith("is not UTF-8 text (byte 0xff at position 1")
    code, _, err, _ = _run("register", "--name=\udcfe")
    assert code == ExitCode.USAGE and "--name:" in err
    code, _, err, _ = _run("status", "\udcff")
    assert code == ExitCode.USAGE and "argument 2" in err


def test_non_utf8_bytes_in_a_real_argv_give_one_line_and_64(
    cli_env: Settings, tmp_path: Path
) -> None:
    """The real command given the byte 0xff prints a usage error, not a traceback."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    env = {**os.environ, "PYTHONPATH": str(Path(healthcode.__file__).parents[1])}
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "healthcode.cli.main", "status", b"\xff", "--json"],
        capture_output=True,
        cwd=folder,
        env=env,
        timeout=120,
        check=False,
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == ExitCode.USAGE, stderr
    assert "Traceback" not in stderr and "is not UTF-8 text (byte 0xff" in stderr
    assert list(folder.iterdir()) == []


def test_an_unexpected_error_is_one_line_exit_70_with_the_detail_in_a_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bug is `internal error` on one line naming the file that holds the traceback."""

    def broken() -> Settings:
        raise KeyError("boom")

    monkeypatch.setattr(context, "Settings", broken)
    code, out, err, _ = _run("keys", "list")
    assert code == ExitCode.INTERNAL and out == ""
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    found = re.search(r"internal error: KeyError \(details in (\S+)\)", err)
    assert found is not None
    detail = Path(found.group(1))
    try:
        assert "Traceback" in detail.read_text() and "boom" in detail.read_text()
        assert detail.stat().st_mode & 0o777 == 0o600
    finally:
        detail.unlink()


def test_an_invalid_setting_is_named_with_exit_78(monkeypatch: pytest.MonkeyPatch) -> None:
    """An invalid HEALTHCODE_ variable is refused by name (exit 78), not a traceback."""
    monkeypatch.setenv("HEALTHCODE_CODE_LIFETIME_SECONDS", "soon")
    code, _, err, raised = _run("keys", "list", "--json")
    assert code == ExitCode.CONFIG and isinstance(raised, SystemExit)
    assert json.loads(err)["problems"][0]["field"] == "HEALTHCODE_CODE_LIFETIME_SECONDS"


def test_geo_import_refuses_non_utf8_and_deep_json_cleanly(
    cli_env: Settings, tmp_path: Path
) -> None:
    """geo and locations import refuse non-UTF-8 or very deep files by field, no traceback."""
    latin = tmp_path / "latin.geojson"
    latin.write_bytes(b'{"type": "FeatureCollection", "name": "\xff"}')
    code, _, err, raised = _run("geo", "import", str(latin), "--json")
    assert code == ExitCode.STOP and isinstance(raised, SystemExit)
    assert json.loads(err)["problems"][0] == {
        "field": "file",
        "message": "is not UTF-8 text (byte 0xff at 39)",
    }
    pings = tmp_path / "pings.csv"
    pings.write_bytes(b"subject,lat,lon,at\nx,30,120,\xfe\n")
    code, _, err, raised = _run("locations", "import", str(pings), "--json")
    assert code == ExitCode.STOP and isinstance(raised, SystemExit)
    assert json.loads(err)["problems"][0] == {
        "field": "file",
        "message": "is not UTF-8 text (byte 0xfe at 28)",
    }
    deep = tmp_path / "deep.geojson"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    code, _, err, raised = _run("geo", "import", str(deep), "--json")
    assert code == ExitCode.STOP and isinstance(raised, SystemExit)
    assert json.loads(err)["problems"][0]["field"] == "geojson"
    assert "nested too deeply" in err


def test_init_against_a_missing_postgres_database_names_it_and_makes_no_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """init on a missing PostgreSQL database names it in one line (69), makes no key."""
    key = tmp_path / "data.key"
    url = "postgresql://postgres@127.0.0.1:5432/healthcode_no_such_database"
    monkeypatch.setenv("HEALTHCODE_DATABASE_URL", url)
    monkeypatch.setenv("HEALTHCODE_DATA_KEY_FILE", str(key))
    code, _, err, raised = _run("init")
    assert code == ExitCode.UNAVAILABLE and isinstance(raised, SystemExit)
    assert 'database "healthcode_no_such_database" does not exist' in err
    assert len(err.strip().splitlines()) == 1
    assert not key.exists()
