"""`healthcode keys|code|trust-list|verify`: a code issued on the console passes offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli_helpers import add_official
from healthcode.cli.main import app
from healthcode.settings import Settings

AT = "2026-03-01T09:00:00+08:00"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _ok(*args: str) -> object:
    code, out, err = _run(*args)
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def subject(cli_env: Settings) -> str:
    _ok("keys", "init", "--at", AT, "--json")
    registered = _ok(
        "register",
        "--name",
        "张三丰",
        "--id-number",
        "11010519491231002X",
        "--phone",
        "13812341234",
        "--address",
        "杭州市西湖区1号",
        "--at",
        AT,
        "--json",
    )
    assert isinstance(registered, dict)
    add_official("reader", "official")  # who issues the codes at the console (logged in)
    return str(registered["subject"])


def _trust_list(tmp_path: Path) -> Path:
    path = tmp_path / "trust-list.json"
    code, _, err = _run("trust-list", "export", "--out", str(path), "--at", AT, "--json")
    assert code == 0, err
    return path


def test_code_passes_offline_verify_with_the_exported_trust_list(
    subject: str, tmp_path: Path
) -> None:
    """`code` then `verify --trust-list` exits 0 with the masked name and colour."""
    issued = _ok("code", subject, "--as", "reader", "--at", AT, "--json")
    assert isinstance(issued, dict) and issued["colour"] == "green"
    assert issued["qr_version"] <= 8
    code, out, _ = _run(
        "verify", issued["token"], "--trust-list", str(_trust_list(tmp_path)), "--at", AT, "--json"
    )
    assert code == 0
    decision = json.loads(out)
    assert (decision["outcome"], decision["masked_name"]) == ("pass", "张*丰")


def test_verify_reads_the_qr_from_an_image(subject: str, tmp_path: Path) -> None:
    """`code --qr FILE.png` writes a QR that `verify --image` reads and passes."""
    png = tmp_path / "code.png"
    _ok("code", subject, "--as", "reader", "--at", AT, "--qr", str(png), "--json")
    assert png.read_bytes().startswith(b"\x89PNG")
    code, out, _ = _run(
        "verify",
        "--image",
        str(png),
        "--trust-list",
        str(_trust_list(tmp_path)),
        "--at",
        AT,
        "--json",
    )
    assert code == 0 and json.loads(out)["outcome"] == "pass"


def test_stale_code_exits_2_with_the_reason(subject: str, tmp_path: Path) -> None:
    """The same code an hour later is invalid (exit 2) and says it expired."""
    issued = _ok("code", subject, "--as", "reader", "--at", AT, "--json")
    assert isinstance(issued, dict)
    code, out, _ = _run(
        "verify",
        issued["token"],
        "--trust-list",
        str(_trust_list(tmp_path)),
        "--at",
        "2026-03-01T10:00:00+08:00",
        "--json",
    )
    assert code == 2 and json.loads(out)["reason"] == "expired"


def test_yellow_code_exits_1_at_a_green_only_checkpoint(subject: str, tmp_path: Path) -> None:
    """A valid yellow code is a stop (exit 1) where only green passes, a pass with --colour."""
    _run("declare", "health", subject, "--temperature", "38.6", "--symptom", "fever", "--at", AT)
    issued = _ok("code", subject, "--as", "reader", "--at", AT, "--json")
    assert isinstance(issued, dict) and issued["colour"] == "yellow"
    trust = str(_trust_list(tmp_path))
    code, out, _ = _run("verify", issued["token"], "--trust-list", trust, "--at", AT, "--json")
    assert code == 1 and json.loads(out)["outcome"] == "stop"
    code, _, _ = _run(
        "verify",
        issued["token"],
        "--trust-list",
        trust,
        "--at",
        AT,
        "--colour",
        "green",
        "--colour",
        "yellow",
        "--json",
    )
    assert code == 0


def test_foreign_root_refuses_the_trust_list(subject: str, tmp_path: Path) -> None:
    """A trust list checked against another pinned root is refused (exit 65)."""
    issued = _ok("code", subject, "--as", "reader", "--at", AT, "--json")
    assert isinstance(issued, dict)
    other_root = "A" * 43
    code, _, err = _run(
        "verify",
        issued["token"],
        "--trust-list",
        str(_trust_list(tmp_path)),
        "--root-key",
        other_root,
        "--at",
        AT,
        "--json",
    )
    assert code == 65  # the command's own input refused (docs/cli.md#exit-codes)
    assert "root" in json.loads(err)["error"]


def test_rotation_keeps_old_codes_valid(subject: str, tmp_path: Path) -> None:
    """After `keys rotate`, a code signed a minute earlier still passes with the new list."""
    issued = _ok("code", subject, "--as", "reader", "--at", AT, "--json")
    assert isinstance(issued, dict)
    rotated = _ok("keys", "rotate", "--at", "2026-03-01T09:01:00+08:00", "--json")
    assert isinstance(rotated, dict) and rotated["kid"] != issued["kid"]
    keys = _ok("keys", "list", "--json")
    assert isinstance(keys, list) and len(keys) == 3
    trust = tmp_path / "later.json"
    _ok("trust-list", "export", "--out", str(trust), "--at", "2026-03-01T09:02:00+08:00", "--json")
    code, _, _ = _run(
        "verify",
        issued["token"],
        "--trust-list",
        str(trust),
        "--at",
        "2026-03-01T09:02:00+08:00",
        "--json",
    )
    assert code == 0


def test_keys_init_twice_is_refused(subject: str) -> None:
    """A second `keys init` exits 1 and says to rotate; --if-missing keeps the keys and exits 0."""
    # `make demo` runs `keys init --if-missing` every time.
    before = _ok("keys", "list", "--json")
    code, _, err = _run("keys", "init", "--json")
    assert code == 1 and "rotate" in err
    assert _ok("keys", "init", "--if-missing", "--json") == before


def test_verify_without_token_or_trust_list_is_refused(cli_env: Settings) -> None:
    """`verify` without a token or trust list exits 65 (not 2) naming what is missing."""
    code, _, err = _run("verify", "--json")
    assert code == 65 and "token" in json.loads(err)["problems"][0]["field"]
    code, _, err = _run("verify", "HZ1:ABC", "--json")
    assert code == 65 and json.loads(err)["problems"][0]["field"] == "trust_list"
