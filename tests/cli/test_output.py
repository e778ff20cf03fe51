"""The command line's refusals and time options: what a person at the console reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import typer

from healthcode.cli.output import EXIT_REFUSED, parse_time, refuse
from healthcode.kernel.errors import InvalidInput, Problem


def test_a_refusal_prints_brackets_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    """Brackets in a refusal's message are shown, not swallowed as console markup."""
    with pytest.raises(typer.Exit) as exited:
        refuse(InvalidInput.one("kind", "'spa' is not one of [bold] [cafe]"), as_json=False)
    assert exited.value.exit_code == EXIT_REFUSED
    assert "'spa' is not one of [bold] [cafe]" in capsys.readouterr().err


def test_a_json_refusal_names_each_problem(capsys: pytest.CaptureFixture[str]) -> None:
    """With --json a refusal is one object on stderr listing every field and its fault."""
    problems = [Problem("lat", "must be within -90 and 90"), Problem("lon", "is required")]
    with pytest.raises(typer.Exit):
        refuse(InvalidInput(problems), as_json=True)
    body = json.loads(capsys.readouterr().err)
    assert body["problems"] == [
        {"field": "lat", "message": "must be within -90 and 90"},
        {"field": "lon", "message": "is required"},
    ]


def test_a_time_option_without_an_offset_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """A time must say its offset: a bare local time is ambiguous and is refused by name."""
    with pytest.raises(typer.Exit):
        parse_time("2026-03-01T09:00", field="sampled_at", as_json=True)
    assert "sampled_at" in capsys.readouterr().err


def test_a_time_option_with_an_offset_is_read_as_that_instant() -> None:
    """An ISO 8601 time with an offset is the instant it names."""
    at = parse_time("2026-03-01T09:00+08:00", field="sampled_at", as_json=False)
    assert at == datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
