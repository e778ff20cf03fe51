"""The command line under the text and time rules: non-UTF-8 arguments, control and bidi
characters, and absurd `--at` times are clean refusals (exit 1, the option named)."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Annotated

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli_helpers import run
from healthcode.cli.exit_codes import ExitCode
from healthcode.cli.output import EXIT_REFUSED, parse_time
from healthcode.cli.table import mount
from healthcode.kernel.times import EARLIEST, LATEST
from healthcode.settings import Settings

REGISTER = [
    "register",
    "--id-number",
    "11010519491231002X",
    "--phone",
    "13812341234",
    "--address",
    "杭州市西湖区文三路1号",
    "--at",
    "2026-03-01T09:00:00+08:00",
]


def _problems(err: str) -> list[dict[str, str]]:
    problems: list[dict[str, str]] = json.loads(err)["problems"]
    return problems


def test_a_non_utf8_argument_is_a_clean_refusal(cli_env: Settings) -> None:
    """A byte that is not UTF-8 (decoded by Python as a lone surrogate) is refused by name."""
    code, _, err = run(*REGISTER, "--name", "张\udcff三", "--json")
    assert code == ExitCode.USAGE
    [problem] = _problems(err)
    assert problem["field"] == "--name" and "surrogate" in problem["message"]


@pytest.mark.parametrize("name", ["张\x00三", "张\n三", "abc\u202edef"])
def test_names_with_controls_or_bidi_controls_are_refused(cli_env: Settings, name: str) -> None:
    """The register command refuses a name with NUL, a newline or an override; nothing stored."""
    code, _, err = run(*REGISTER, "--name", name, "--json")
    [problem] = _problems(err)
    # the command line refuses what no argument may hold (a usage error); the use case refuses
    # what no name may hold (a line break is fine in a note, not in a name)
    expected = {"--name": ExitCode.USAGE, "name": EXIT_REFUSED}
    assert code == expected[problem["field"]]


@pytest.mark.parametrize(
    "at", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2100-01-01T00:00:00Z"]
)
def test_at_times_out_of_range_are_refused(cli_env: Settings, at: str) -> None:
    """`--at` a time with no UTC form, or from 2100 on, is refused naming `at`."""
    code, _, err = run(*REGISTER[:-2], "--name", "张三丰", "--at", at, "--json")
    assert code == ExitCode.USAGE
    assert _problems(err) == [
        {"field": "at", "message": "must be a time from 2000-01-01 to before 2100-01-01 (UTC)"}
    ]


def _offset(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


@settings(max_examples=300, deadline=None)
@given(
    value=st.text(max_size=40)
    | st.datetimes().map(datetime.isoformat)
    | st.datetimes(timezones=st.integers(-840, 840).map(_offset)).map(datetime.isoformat)
)
def test_parse_time_accepts_in_range_or_refuses(value: str) -> None:
    """Whatever the text, `parse_time` gives an aware time in range or exits 64, never crashes."""
    try:
        at = parse_time(value, field="at", as_json=True)
    except typer.Exit as exited:
        code = exited.exit_code
    else:
        code = 0
    if code != 0:
        assert code == ExitCode.USAGE
        return
    assert at.tzinfo is not None and EARLIEST <= at < LATEST


def _echo_app() -> typer.Typer:
    app = typer.Typer()

    def echo(
        words: Annotated[list[str], typer.Argument()],
        note: Annotated[str, typer.Option()] = "",
        password: Annotated[str, typer.Option()] = "",
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        typer.echo(json.dumps({"words": words, "note": note, "password": password}))

    def other() -> None:
        """A second command, so that `echo` is a subcommand."""

    mount(app, [("echo", echo), ("other", other)])
    return app


_ECHO = _echo_app()
_BAD = {
    "\u2028",
    "\u2029",
    *"\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
}


def _clean(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text) and all(
        ch in "\t\n\r" or (unicodedata.category(ch) not in ("Cc", "Cs") and ch not in _BAD)
        for ch in text
    )


@settings(max_examples=150, deadline=None)
@given(
    word=st.text(st.characters(codec=None, exclude_characters="\x00"), min_size=1, max_size=20),
    note=st.text(st.characters(codec=None, exclude_characters="\x00"), max_size=20),
)
def test_every_command_argument_is_clean_or_refused(word: str, note: str) -> None:
    """Any mounted command gets clean NFC text, or refuses naming the argument; never crashes."""
    if word.startswith("-"):
        word = "w" + word
    result = CliRunner().invoke(_ECHO, ["echo", word, "--note", note, "--json"])
    if result.exit_code == ExitCode.USAGE:
        assert json.loads(result.stderr)["problems"][0]["field"] in ("words", "--note")
        return
    assert result.exit_code == 0, result.output
    echoed = json.loads(result.stdout)
    assert all(_clean(text) for text in [*echoed["words"], echoed["note"]])


def test_passwords_are_passed_as_typed() -> None:
    """A password option is not normalised (only a surrogate or NUL would be refused)."""
    result = CliRunner().invoke(_ECHO, ["echo", "w", "--password", "Jose\u0301\u202e", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["password"] == "Jose\u0301\u202e"
    refused = CliRunner().invoke(_ECHO, ["echo", "w", "--password", "p\udcffw", "--json"])
    assert refused.exit_code == ExitCode.USAGE
