"""The CLI for registration and declarations, as an operator or a scenario script uses it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli_helpers import login
from healthcode.cli.main import app
from healthcode.settings import Settings
from identity_helpers import totp_secret

AT = "2026-03-01T09:00:00+08:00"
REGISTER = [
    "register",
    "--name",
    "张三丰",
    "--id-number",
    "11010519491231002X",
    "--phone",
    "138 1234 1234",
    "--address",
    "杭州市西湖区文三路1号",
    "--consent-location",
]


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _subject() -> str:
    code, out, err = _run(*REGISTER, "--at", AT, "--json")
    assert code == 0, err
    subject: str = json.loads(out)["subject"]
    return subject


def test_register_prints_the_subject(cli_env: Settings) -> None:
    """`healthcode register --json` prints the new subject id."""
    assert len(_subject()) == 32


def test_person_show_is_masked(cli_env: Settings) -> None:
    """`healthcode person show --as OFFICIAL` prints the masked registration."""
    subject = _subject()
    code, out, err = _run(
        "official",
        "add",
        "--username",
        "wang",
        "--role",
        "official",
        "--jurisdiction",
        "330100",
        "--password-stdin",
        "--json",
        stdin="correct horse battery\n",
    )
    assert code == 0, err
    login("wang", totp_secret(json.loads(out)["totp_uri"]))
    code, out, err = _run("person", "show", subject, "--as", "wang", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert (shown["name"], shown["phone"]) == ("张*丰", "138****1234")
    assert shown["registered_at"].startswith("2026-03-01T01:00:00")


def test_invalid_registration_exits_non_zero_naming_the_field(cli_env: Settings) -> None:
    """A bad ID number exits 1 with the field and rule on stderr and nothing on stdout."""
    args = [a if a != "11010519491231002X" else "110105194912310021" for a in REGISTER]
    code, out, err = _run(*args, "--json")
    assert code == 1 and out == ""
    assert json.loads(err)["problems"] == [
        {"field": "id_number", "message": "check character should be X"}
    ]


def test_duplicate_registration_exits_non_zero(cli_env: Settings) -> None:
    """Registering the same ID number twice exits 1 naming id_number."""
    _subject()
    code, _, err = _run(*REGISTER)
    assert code == 1 and "id_number" in err


def test_declare_health_and_travel_at_a_chosen_time(cli_env: Settings) -> None:
    """Declarations are recorded at the --at time given."""
    subject = _subject()
    code, out, err = _run(
        "declare",
        "health",
        subject,
        "--temperature",
        "37.9",
        "--symptom",
        "fever",
        "--at",
        "2026-03-02T08:00:00+08:00",
        "--json",
    )
    assert code == 0, err
    health = json.loads(out)
    assert health["at"] == "2026-03-02T00:00:00+00:00" and health["symptoms"] == ["fever"]
    code, out, err = _run(
        "declare",
        "travel",
        subject,
        "--place",
        "310000",
        "--from",
        "2026-02-20",
        "--to",
        "2026-02-25",
        "--at",
        AT,
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["place"] == "310000"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["health", "--temperature", "50"], "temperature"),
        (["travel", "--place", "310000", "--from", "2026-02-20", "--to", "yesterday"], "to_date"),
        (["travel", "--place", "000000", "--from", "2026-02-20", "--to", "2026-02-21"], "place"),
    ],
)
def test_bad_declarations_exit_non_zero(cli_env: Settings, args: list[str], field: str) -> None:
    """Bad declarations exit 1 naming the field."""
    subject = _subject()
    code, _, err = _run("declare", args[0], subject, *args[1:], "--at", AT, "--json")
    assert code == 1
    assert field in [p["field"] for p in json.loads(err)["problems"]]


def test_at_without_zone_is_refused(cli_env: Settings) -> None:
    """An --at time without a time zone is refused rather than guessed (a usage error, 64)."""
    code, _, err = _run(*REGISTER, "--at", "2026-03-01T09:00:00", "--json")
    assert code == 64 and "time zone" in err


def test_init_creates_key_and_never_overwrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`healthcode init` creates the database and key; run again it keeps the same key."""
    key = tmp_path / "var" / "data.key"
    monkeypatch.setenv("HEALTHCODE_DATABASE_URL", f"sqlite:///{tmp_path}/var/hc.db")
    monkeypatch.setenv("HEALTHCODE_DATA_KEY_FILE", str(key))
    code, _, err = _run("init", "--json")
    assert code == 0, err
    first = key.read_bytes()
    assert key.stat().st_mode & 0o777 == 0o600
    code, out, _ = _run("init", "--json")
    assert code == 0 and key.read_bytes() == first
    assert "kept existing data key" in out
    assert (tmp_path / "var" / "hc.db").exists()


def test_channel_add_refuses_a_key_file_it_cannot_read_by_name(
    cli_env: Settings, tmp_path: Path
) -> None:
    """A missing or non-UTF-8 public key file is a refusal naming it (exit 1), no traceback."""
    latin = tmp_path / "key.pem"
    latin.write_bytes(b"-----BEGIN PUBLIC KEY-----\n\xff\n")
    for path, message in ((latin, "is not UTF-8 text (byte 0xff at 27)"), (tmp_path / "none", "")):
        code, out, err = _run(
            "channel", "add", "--name", "alipay", "--public-key-file", str(path),
            "--webhook-url", "https://x.example/h", "--json",
        )  # fmt: skip
        assert (code, out) == (1, "")
        [problem] = json.loads(err)["problems"]
        assert problem["field"] == "public_key_file" and message in problem["message"]
