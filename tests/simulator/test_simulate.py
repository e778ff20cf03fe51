"""`healthcode simulate` and `simulate compare`: a seeded city played on a scratch database
under a policy file, measured, written as measures.json, timings.json and an HTML report."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

import healthcode
from cli_helpers import ok, run
from healthcode.policy.bundled import bundled_policy_path
from process_helpers import healthcode_command

HANGZHOU = str(bundled_policy_path("330100"))
SMALL = ("--population", "200", "--days", "4", "--seed", "1")


def test_a_seeded_run_measures_the_system_against_the_truth(tmp_path: Path) -> None:
    """A small seeded city's run writes consistent measures, timings apart, and a report."""
    report = tmp_path / "run"
    shown = ok("simulate", "--policy", HANGZHOU, *SMALL, "--report", str(report))
    measures = json.loads((report / "measures.json").read_text(encoding="utf-8"))
    assert shown == measures
    assert measures["params"]["population"] == 200
    text = Path(HANGZHOU).read_text(encoding="utf-8")
    assert measures["policy"]["sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert sum(measures["infections_per_day"]) == measures["infections"] > 0
    assert measures["confirmed_cases"] >= 1
    flagged = sum(r["flagged"] for r in measures["rules"].values())
    assert flagged >= measures["flagged_per_case"] * measures["confirmed_cases"] > 0
    for rule in measures["rules"].values():
        assert 0 <= rule["truly_exposed"] <= rule["flagged"]
    restricted = measures["person_days_restricted"]
    days = measures["colours_per_day"]
    assert restricted["yellow"] == sum(d.get("yellow", 0) for d in days)
    assert all(sum(d.values()) == 200 for d in days)
    assert measures["time_to_flag"]["median_hours"] > 0
    timings = json.loads((report / "timings.json").read_text(encoding="utf-8"))
    assert set(timings) == {"build_city", "enrol", "play", "total"}
    html = (report / "report.html").read_text(encoding="utf-8")
    assert "infections.png" in html and "secondary-venue" in html
    # the plots carry no words: the page titles them (the console in its own language)
    assert '<h2>New infections per day of the run</h2><img src="infections.png"' in html
    assert (report / "infections.png").stat().st_size > 0
    assert (report / "restricted.png").stat().st_size > 0
    again = tmp_path / "again"
    ok("simulate", "--policy", HANGZHOU, *SMALL, "--report", str(again))
    assert (again / "measures.json").read_bytes() == (report / "measures.json").read_bytes()


def _no_secondary(folder: Path) -> Path:
    """The bundled Hangzhou policy without secondary contacts, as a file in ``folder``."""
    variant = folder / "no-secondary.yaml"
    text = Path(HANGZHOU).read_text(encoding="utf-8")
    changed = text.replace('version: "2020.2"', 'version: "2020.2-sim"').replace(
        "secondary: {enabled: true", "secondary: {enabled: false"
    )
    assert changed.count("2020.2-sim") == 1 and "secondary: {enabled: false" in changed
    variant.write_text(changed, encoding="utf-8")
    return variant


def test_compare_runs_the_same_city_under_each_policy(tmp_path: Path) -> None:
    """Compare plays each policy on the same city and writes them side by side."""
    variant = _no_secondary(tmp_path)
    report = tmp_path / "compare"
    args = ("--population", "60", "--days", "2", "--report", str(report), "--jobs", "1")
    code, out, err = run("simulate", "compare", HANGZHOU, str(variant), *args)
    assert code == 0, err
    assert "hangzhou" in out and "no-secondary" in out and "flagged per case" in out
    measures = json.loads((report / "measures.json").read_text(encoding="utf-8"))
    assert set(measures) == {"hangzhou", "no-secondary"}
    assert measures["no-secondary"]["policy"]["version"] == "2020.2-sim"
    assert not any(r.startswith("secondary") for r in measures["no-secondary"]["rules"])
    assert (
        measures["hangzhou"]["infections_per_day"][0]
        == (measures["no-secondary"]["infections_per_day"][0])
    )


def test_the_runs_of_a_policy_text_are_listed_by_the_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`simulate measured` finds a run of the same text in the reports folder, not a variant's."""
    monkeypatch.setenv("HEALTHCODE_SIMULATION_REPORTS_DIR", str(tmp_path / "reports"))
    args = ("--population", "60", "--days", "2", "--report", str(tmp_path / "reports" / "one"))
    measures = ok("simulate", "--policy", HANGZHOU, *args)
    found = ok("simulate", "measured", HANGZHOU)
    assert found["configured"] is True
    assert [(r["report"], r["policy"], r["population"]) for r in found["runs"]] == [
        ("one", "hangzhou", 60)
    ]
    assert found["runs"][0]["measures"]["infections"] == measures["infections"]
    code, out, err = run("simulate", "measured", HANGZHOU)
    assert code == 0, err
    assert "one: hangzhou" in out and "flagged per case" in out
    variant = _no_secondary(tmp_path)
    assert ok("simulate", "measured", str(variant))["runs"] == []
    code, out, err = run("simulate", "measured", str(variant))
    assert code == 0 and "never measured" in out, err
    (tmp_path / "broken.yaml").write_text("rules: [", encoding="utf-8")
    code, out, err = run("simulate", "measured", str(tmp_path / "broken.yaml"), "--json")
    assert code != 0 and "policy" in out + err


def test_compare_in_worker_processes_writes_what_one_by_one_writes(tmp_path: Path) -> None:
    """Policies played at once, each in its own process, measure exactly as one after another."""
    variant = _no_secondary(tmp_path)
    reports = {jobs: tmp_path / f"jobs-{jobs}" for jobs in ("1", "2")}
    for jobs, report in reports.items():
        args = ("--population", "200", "--days", "3", "--report", str(report), "--jobs", jobs)
        code, out, err = run("simulate", "compare", HANGZHOU, str(variant), *args)
        assert code == 0, err
        assert "no-secondary" in out
    one_by_one, side_by_side = ((r / "measures.json").read_bytes() for r in reports.values())
    assert side_by_side == one_by_one
    assert list(json.loads(side_by_side)) == ["hangzhou", "no-secondary"]
    assert json.loads(side_by_side)["hangzhou"]["confirmed_cases"] >= 1


def test_a_comparison_stops_at_a_policy_that_does_not_load(tmp_path: Path) -> None:
    """A policy file that is not a policy is refused, naming it, before any city is played."""
    broken = tmp_path / "broken.yaml"
    broken.write_text("jurisdiction: 330100\ntracing: [\n", encoding="utf-8")
    code, _, err = run(
        "simulate", "compare", HANGZHOU, str(broken), "--report", str(tmp_path / "r"), "--jobs", "2"
    )
    assert code != 0 and "policy" in err
    assert not (tmp_path / "r").exists()


def test_compare_needs_two_policies_and_a_run_a_sane_size(tmp_path: Path) -> None:
    """One policy to compare, or a city too small, is refused before anything runs."""
    code, _, err = run("simulate", "compare", HANGZHOU, "--report", str(tmp_path))
    assert code != 0 and "at least two" in err
    code, _, _ = run("simulate", "--policy", HANGZHOU, "--population", "5")
    assert code != 0


def test_the_number_infected_at_the_start_is_a_choice(tmp_path: Path) -> None:
    """--infected sets the outbreak's start, is recorded, and is refused beyond the city."""
    few, many = tmp_path / "few", tmp_path / "many"
    ok("simulate", "--policy", HANGZHOU, *SMALL, "--infected", "1", "--report", str(few))
    ok("simulate", "--policy", HANGZHOU, *SMALL, "--infected", "40", "--report", str(many))
    one, forty = (
        json.loads((r / "measures.json").read_text(encoding="utf-8")) for r in (few, many)
    )
    assert (one["params"]["seeded"], forty["params"]["seeded"]) == (1, 40)
    # day 0 counts those infected at the start and whom they infect that day
    assert one["infections_per_day"][0] < 40 <= forty["infections_per_day"][0]
    code, _, err = run("simulate", "--policy", HANGZHOU, *SMALL, "--infected", "201")
    assert code != 0 and "infected" in err and "population" in err


def test_a_short_run_with_the_companion_rule_flags_companions(tmp_path: Path) -> None:
    """Four days of a 2,000-resident city under the Chengdu companion rule flag companions."""
    policy = Path(__file__).resolve().parents[2] / "docs" / "policies" / "hangzhou-companion.yaml"
    report = tmp_path / "companion"
    # housemates are household contacts, never companions: neighbours in a home's cell are, and
    # a city of 200 has few (one household in most cells)
    town = ("--population", "2000", "--days", "4", "--seed", "1")
    measures = ok("simulate", "--policy", str(policy), *town, "--report", str(report))
    assert measures["confirmed_cases"] >= 1
    assert measures["rules"]["companion"]["flagged"] >= 1


def test_ctrl_c_stops_a_comparison_and_its_workers(tmp_path: Path) -> None:
    """Ctrl-C to the terminal's group, once the runs have begun: exit 130, no worker left."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    source = str(Path(healthcode.__file__).resolve().parents[1])
    env = {**os.environ, "TMPDIR": str(scratch), "PYTHONPATH": source}
    command = [*healthcode_command(), "simulate", "compare", HANGZHOU, HANGZHOU]
    command += ["--population", "20000", "--days", "30", "--jobs", "2"]
    command += ["--report", str(tmp_path / "never")]
    started = subprocess.Popen(  # noqa: S603 - our own command, no shell
        command, env=env, start_new_session=True, stderr=subprocess.PIPE, text=True
    )
    try:
        # a run has begun once a worker made its scratch database (bounded, not timed)
        deadline = time.monotonic() + 120
        while not any(scratch.glob("healthcode-sim-*")) and time.monotonic() < deadline:
            assert started.poll() is None, started.stderr.read() if started.stderr else ""
            time.sleep(0.2)
        assert any(scratch.glob("healthcode-sim-*")), "no run began"
        workers = _children(started.pid)
        assert workers
        os.killpg(started.pid, signal.SIGINT)
        _, err = started.communicate(timeout=60)
    finally:
        if started.poll() is None:
            os.killpg(started.pid, signal.SIGKILL)
            started.wait()
    assert started.returncode == 130, err
    assert "Traceback" not in err
    # the workers (and multiprocessing's resource tracker) end with it: reaped within a bound
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in workers if _alive(pid)] == []
    assert not (tmp_path / "never").exists()


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie waiting to be reaped does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux's /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found
