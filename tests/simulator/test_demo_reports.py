"""``make demo`` writes the simulator's comparison of the bundled policies into the folder of
reports its server lists, so the console's Simulations page shows it."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _demo_commands() -> list[list[str]]:
    """``make demo``'s commands as make would run them, each split into its words."""
    make = shutil.which("make")
    assert make is not None, "GNU make runs the demo"
    shown = subprocess.run(  # noqa: S603 - make's dry run of our own target
        [make, "-n", "--no-print-directory", "demo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [shlex.split(line) for line in shown.replace("\\\n", " ").splitlines() if line]


def test_the_demo_serves_the_folder_its_comparison_is_written_into() -> None:
    """The comparison's report folder is a folder of the one the demo's server lists."""
    commands = _demo_commands()
    compare = next(c for c in commands if "compare" in c and "simulate" in c)
    serve = next(c for c in commands if "serve" in c)
    report = Path(compare[compare.index("--report") + 1])
    settings = dict(w.split("=", 1) for w in serve if w.startswith("HEALTHCODE_"))
    assert report.parent == Path(settings["HEALTHCODE_SIMULATION_REPORTS_DIR"])
    # written once, and again only when it predates runs naming their policy text
    assert compare[:3] == ["grep", "-qs", '"sha256"'] and f"{report}/measures.json" in compare


def test_the_demo_compares_the_bundled_policies_and_the_companion_variant() -> None:
    """The demo's comparison runs every bundled city policy and the companion variant."""
    compare = next(c for c in _demo_commands() if "compare" in c and "simulate" in c)
    policies = [Path(w) for w in compare if w.endswith(".yaml")]
    bundled = sorted((ROOT / "src/healthcode/policy/bundled").glob("*.yaml"))
    assert {p.name for p in policies} >= {p.name for p in bundled} | {"hangzhou-companion.yaml"}
    assert all((ROOT / p).is_file() for p in policies)
