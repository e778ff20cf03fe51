"""`healthcode demo seed --city` and `healthcode demo run`: the living demo city
(``simulator.demo``; docs/simulator.md#the-living-demo).

The seed plays the city's last days in virtual time, running the worker's passes itself; `demo
run` keeps it moving in real time next to `healthcode serve`, whose worker traces the cases
(on SQLite one worker only: `demo run --worker` is for a run without a server)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from healthcode.cli.context import system
from healthcode.cli.options import JsonOpt
from healthcode.cli.output import emit, refusals
from healthcode.container import Container
from healthcode.db.private_files import create_private
from healthcode.identity.demo import DEMO_CITIZEN
from healthcode.kernel.clock import FixedClock
from healthcode.simulator.demo import live, load, residents_of, save, seed_city
from healthcode.simulator.drive import System
from healthcode.simulator.loop import CityRun

STATE = Path("var/demo-city.state")
"""The run, saved; the officials' accounts (TOTP URIs) go next to it, in
``demo-city-officials.json``."""
OFFICE_PASSWORD = "healthcode demo office"  # noqa: S105 - the demo's published password

StateOpt = Annotated[Path, typer.Option(help="Where the demo city's run is saved.")]
ResidentsOpt = Annotated[
    str, typer.Option(help="The city's size: small (200), town (2,000) or a number.")
]
DaysOpt = Annotated[int, typer.Option(min=1, max=14, help="Days played before now.")]


def _system(c: Container, *, worker: bool) -> System:
    """The system for the simulator, on a virtual clock starting now."""
    return System(
        uow=c.uow,
        clock=FixedClock(c.clock.now()),
        private_keys=c.private_keys,
        jurisdiction=c.settings.jurisdiction,
        proposal_kinds=c.proposal_kinds,
        job_kinds=c.job_kinds if worker else None,
    )


def seed_with_city(
    channels: list[dict[str, Any]],
    channels_human: Callable[[Console], None],
    *,
    residents: str,
    days: int,
    state: Path,
    as_json: bool,
) -> None:
    """After the channels, the demo city (kept if ``state`` exists); one answer for both."""
    errors = Console(stderr=True)
    with refusals(as_json=as_json):
        size = residents_of(residents)
    city: dict[str, Any]
    if state.exists():
        run = load(state)
        city = {"created": False, "residents": len(run.city.residents), "state": str(state)}
    else:
        with refusals(as_json=as_json), system(as_json=as_json) as c:
            sim = _system(c, worker=True)
            seeded = seed_city(
                sim,
                residents=size,
                days=days,
                now=c.clock.now(),
                password=OFFICE_PASSWORD,
                progress=lambda line: errors.print(line, highlight=False),
            )
            save(seeded.run, state)
        accounts = [vars(a) for a in seeded.accounts]
        officials = state.with_name(state.stem + "-officials.json")
        create_private(officials)
        officials.write_text(json.dumps(accounts, indent=2), encoding="utf-8")
        city = {
            "created": True,
            "residents": size,
            "venues": len(seeded.run.enrolment.venues),
            "days": len(seeded.days),
            "checkins": sum(d.record.checkins for d in seeded.days),
            "confirmed_cases": seeded.run.office.confirmed if seeded.run.office else 0,
            "officials": accounts,
            "officials_file": str(officials),
            "citizen_resident": seeded.citizen,
            "office_password": OFFICE_PASSWORD,
            "state": str(state),
        }

    def human(console: Console) -> None:
        channels_human(console)
        if not city["created"]:
            console.print(f"kept the demo city of {city['residents']:,} residents ({state})")
            return
        console.print(
            f"created a demo city of {size:,} residents and {city['venues']} venues; played "
            f"{city['days']} days; the officials (password {OFFICE_PASSWORD!r}, TOTP in "
            f"{city['officials_file']}):"
        )
        for account in city["officials"]:
            console.print(f"  {account['username']} ({account['role']})")
        if city["citizen_resident"] is not None:
            console.print(
                f"the demo citizen ({DEMO_CITIZEN.name}, phone {DEMO_CITIZEN.phone}) is resident "
                f"{city['citizen_resident']}, who shares a home with one of the first infected: "
                "`healthcode demo citizen` gives them their website login"
            )

    emit({"channels": channels, "city": city}, as_json=as_json, human=human)


def run(
    state: StateOpt = STATE,
    interval: Annotated[
        float, typer.Option(min=0.1, help="Seconds between two steps of the city.")
    ] = 5.0,
    steps: Annotated[
        int | None, typer.Option(min=1, help="Stop after this many steps (default: never).")
    ] = None,
    worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="Run the worker's passes here too (only with no `healthcode serve` running "
            "on SQLite: it runs its own).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Keep the demo city moving in real time: residents check in, ride and test as the hours
    pass, the health office confirms cases. Saved after each step; stop it any time."""
    errors = Console(stderr=True)
    with refusals(as_json=as_json):
        city = load(state)
    with refusals(as_json=as_json), system(as_json=as_json) as c:
        sim = _system(c, worker=worker)
        steps_done = _play(city, sim, c, interval=interval, steps=steps, state=state, out=errors)
    payload = {
        "steps": steps_done,
        "played_until": (city.start + timedelta(minutes=city.played)).isoformat(),
        "confirmed_cases": city.office.confirmed if city.office else 0,
    }
    emit(
        payload,
        as_json=as_json,
        human=lambda console: console.print(
            f"{steps_done} steps; played until {payload['played_until']}; "
            f"{payload['confirmed_cases']} cases confirmed in all"
        ),
    )


def _play(
    city: CityRun,
    sim: System,
    c: Container,
    *,
    interval: float,
    steps: int | None,
    state: Path,
    out: Console,
) -> int:
    done = 0
    confirmed = city.office.confirmed if city.office else 0
    try:
        for closed in live(
            city, sim, now=c.clock.now, steps=steps, wait=lambda: time.sleep(interval)
        ):
            save(city, state)
            done += 1
            for day in closed:
                out.print(
                    f"day closed: {day.record.checkins:,} check-ins, {day.infections} infected"
                )
            now_confirmed = city.office.confirmed if city.office else 0
            if now_confirmed > confirmed:
                out.print(f"{now_confirmed - confirmed} case(s) confirmed ({now_confirmed} in all)")
                confirmed = now_confirmed
    except KeyboardInterrupt:  # pragma: no cover - interactive
        pass
    return done
