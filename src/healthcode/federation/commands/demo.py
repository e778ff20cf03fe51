"""`healthcode federation demo`: the three-city run (issue 13, item 8; docs/federation.md).

Starts Hangzhou, Shanghai and Beijing on loopback ports, each in a temporary folder of its
own, plays the steps of ``demo_steps`` and prints what each checked. Exit 0 when every step
held; 1 naming the step that did not (or ran past its time limit). Every server and the
temporary folder are gone when it returns."""

from __future__ import annotations

import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Final

import typer
from rich.console import Console
from rich.markup import escape

from healthcode.cli.exit_codes import ExitCode
from healthcode.federation.commands.demo_cities import DemoFailure, World, world_in
from healthcode.federation.commands.demo_steps import STEPS, Step

START: Final = datetime.fromisoformat("2026-03-02T09:00:00+08:00")
"""The demo's first moment (a fixed time: nothing depends on today's date)."""
STEP_SECONDS: Final = 60.0

federation_app = typer.Typer(
    help="Federation between cities: the three-city demonstration.", no_args_is_help=True
)


class _Outcome:
    def __init__(self) -> None:
        self.lines: list[str] | None = None
        self.error: BaseException | None = None


def _run_step(step: Step, world: World, limit: float) -> list[str]:
    """The step's lines; ``DemoFailure`` when it failed or ran past ``limit`` seconds."""
    outcome = _Outcome()

    def run() -> None:
        try:
            outcome.lines = step(world)
        except BaseException as error:
            outcome.error = error

    thread = threading.Thread(target=run, name="demo-step", daemon=True)
    thread.start()
    thread.join(timeout=limit)
    if thread.is_alive():
        raise DemoFailure(f"did not finish within {limit:g} s")
    if isinstance(outcome.error, DemoFailure):
        raise outcome.error
    if outcome.error is not None:
        raise DemoFailure(f"{type(outcome.error).__name__}: {outcome.error}")
    return outcome.lines or []


def play(console: Console, *, start: datetime, limit: float, folder: Path) -> str | None:
    """Run every step in ``folder``; the title of the step that failed, or None."""
    with world_in(folder, start) as world:
        for number, (title, step) in enumerate(STEPS, start=1):
            began = time.monotonic()
            console.print(f"[bold]{number:2d}. {escape(title)}[/]")
            try:
                lines = _run_step(step, world, limit)
            except DemoFailure as failure:
                console.print(f"    [red]✗ {escape(str(failure))}[/]")
                return f"{number}. {title}"
            for line in lines:
                console.print(f"    [green]✓[/] {escape(line)}", highlight=False)
            console.print(
                f"    [dim]at {world.clock.now():%Y-%m-%d %H:%M:%S}Z, "
                f"{time.monotonic() - began:.1f} s[/]"
            )
    return None


@federation_app.command("demo")
def demo(
    step_timeout: Annotated[
        float,
        typer.Option(min=5, max=600, help="Seconds each step may take before it counts as failed."),
    ] = STEP_SECONDS,
) -> None:
    """Run Hangzhou, Shanghai and Beijing on loopback and play a visitor's exposure and an
    arrival across them; exit 0 when every step held."""
    console = Console(highlight=False, soft_wrap=True)
    console.print(
        "[bold]healthcode federation demo[/]: three cities on 127.0.0.1, "
        f"one fixed clock from {START.isoformat()}"
    )
    with tempfile.TemporaryDirectory(prefix="healthcode-federation-") as folder:
        failed = play(console, start=START, limit=step_timeout, folder=Path(folder))
    if failed is not None:
        console.print(f"[red bold]FAILED at step {escape(failed)}[/]")
        raise typer.Exit(ExitCode.STOP)
    console.print(f"[green bold]all {len(STEPS)} steps held[/]")
