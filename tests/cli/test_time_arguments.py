"""Property tests of the CLI's time arguments (``--at`` and the other ISO 8601 options read by
``parse_time``): any text is a time or a clean usage error, never a traceback."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from healthcode.cli.exit_codes import ExitCode
from healthcode.cli.main import app
from healthcode.cli.output import parse_time

PROPERTIES = settings(max_examples=300, deadline=None, database=None)

ISO_LIKE = st.from_regex(
    r"\A-?\d{1,6}-\d{1,2}-\d{1,2}([T ]\d{1,2}(:\d{1,2}(:\d{1,2}(\.\d{1,9})?)?)?)?"
    r"(Z|[+-]\d{1,2}(:?\d{2}(:\d{2})?)?)?\Z",
    fullmatch=True,
)
ANY_DATETIME = st.datetimes(timezones=st.none() | st.timezones()).map(datetime.isoformat)
TIME_TEXT = st.text(max_size=40) | ISO_LIKE | ANY_DATETIME


def _aware(text: str) -> datetime | None:
    """The instant ``text`` names when it is ISO 8601 with a zone, else None."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


@PROPERTIES
@given(TIME_TEXT)
def test_parse_time_reads_a_time_or_exits_with_a_usage_error(text: str) -> None:
    """parse_time gives the aware instant named, or exits 64 for anything else."""
    expected = _aware(text)
    code: int | None = None
    try:
        at = parse_time(text, field="at", as_json=True)
    except typer.Exit as exited:
        code = exited.exit_code
    if code is None:
        assert expected is not None and at == expected and at.tzinfo is not None
    elif expected is None:
        assert code == ExitCode.USAGE
    else:  # a time outside the accepted range is a usage error too
        assert code == ExitCode.USAGE


@PROPERTIES
@given(TIME_TEXT)
def test_any_at_option_ends_cleanly_naming_the_option(text: str) -> None:
    """Any `--at=TEXT` ends cleanly: a bad time is a usage error naming `at`."""
    result = CliRunner().invoke(
        app,
        ["verify", "HZ1:X", "--trust-list", "/nonexistent/trust.json", f"--at={text}", "--json"],
    )
    assert isinstance(result.exception, SystemExit), result.exception
    if _aware(text) is None:
        assert result.exit_code == ExitCode.USAGE
        # "--at" when the command line's text rule refuses it, "at" when it is no time
        assert json.loads(result.stderr)["problems"][0]["field"] in ("--at", "at")
    else:
        assert result.exit_code in (ExitCode.NO_INPUT, ExitCode.USAGE, ExitCode.STOP)


@pytest.mark.parametrize("text", ["", " ", "\x00", "2026-03-01T09:00", "9999-99-99T99:99+99:99"])
def test_known_bad_times_are_usage_errors(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Empty, NUL, zone-less and impossible times are usage errors naming the field."""
    with pytest.raises(typer.Exit) as exited:
        parse_time(text, field="sampled_at", as_json=True)
    assert exited.value.exit_code == ExitCode.USAGE
    assert json.loads(capsys.readouterr().err)["problems"][0]["field"] == "sampled_at"
