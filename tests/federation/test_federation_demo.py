"""`healthcode federation demo`: the three-city run end to end as its own process, and its
runner naming the step that failed or ran past its time."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest
from rich.console import Console

import healthcode
from cli_helpers import run
from healthcode.federation.commands import demo
from healthcode.federation.commands.demo_cities import DemoFailure, World
from process_helpers import healthcode_command

RUN_SECONDS = 300  # a bound, not an expectation: three servers start on two busy cores

KEY_LINES = (
    "Hangzhou (330100) ready at http://127.0.0.1:",
    "Shanghai (310000) ready at http://127.0.0.1:",
    "Beijing (110000) ready at http://127.0.0.1:",
    "Beijing holds the signed trust lists of 310000, 330100",
    "Hangzhou code, offline: pass, green code of 330100: pass (acceptance rule visitors-green)",
    "not admitted here (acceptance rule hospitals-own-codes-only)",
    "Beijing stored 1 resident's scan and 1 visitor's presence",
    "peer_message to Hangzhou done 1",
    "confirmed by demo.supervisor (approved)",
    "the Hangzhou code is now red",
    "because of Hangzhou's rule(s) close-contact",
    "what: close_contact by rule transit, sent by 北京市 Beijing",
    "where: 1路公交 (Bus route 1) (bus_route)",
    "who the case was: not said",
    "Beijing asked Shanghai: the visitor is green there",
    "in Beijing: yellow",
    "because of arrival-other-province",
    "at 2026-03-17 04:02:59Z: yellow",
    "at 2026-03-17 04:03:01Z: green",
    "all 11 steps held",
)


def test_the_three_city_run_holds_and_leaves_nothing_behind(tmp_path: Path) -> None:
    """The command exits 0 printing every step's checks, and removes its temporary folder."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    source = str(Path(healthcode.__file__).resolve().parents[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEALTHCODE_")}
    env.update(TMPDIR=str(scratch), COLUMNS="200", PYTHONPATH=source)
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [*healthcode_command(), "federation", "demo"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    for line in KEY_LINES:
        assert line in out, f"{line!r} missing from:\n{out}"
    assert "✗" not in out
    assert list(scratch.iterdir()) == []


def _failing(world: World) -> list[str]:
    raise DemoFailure("the Hangzhou code is now green")


def test_a_failed_step_is_named_and_exits_non_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    """A step whose check does not hold stops the run: exit 1, the step and the check named."""
    monkeypatch.setattr(demo, "STEPS", (("Hangzhou: red, with the evidence", _failing),))
    code, out, _err = run("federation", "demo")
    assert code == 1
    assert "✗ the Hangzhou code is now green" in out
    assert "FAILED at step 1. Hangzhou: red, with the evidence" in out


def test_a_step_past_its_time_limit_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A step still running at its limit counts as failed; the steps after it do not run."""
    release = threading.Event()
    after: list[str] = []

    def stuck(world: World) -> list[str]:
        release.wait()
        return ["never printed"]

    def next_step(world: World) -> list[str]:
        after.append("ran")
        return []

    monkeypatch.setattr(demo, "STEPS", (("stuck", stuck), ("next", next_step)))
    console = Console(record=True, width=200)
    try:
        failed = demo.play(console, start=demo.START, limit=0.05, folder=tmp_path)
    finally:
        release.set()
    assert failed == "1. stuck"
    assert "did not finish within 0.05 s" in console.export_text()
    assert after == []
