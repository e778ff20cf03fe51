"""Code display and online verification under a burst of ten times the low-priority traffic the
server sustains, with load shedding off and on, in the same run (issue 12 item 5).

`healthcode serve` is started as an operator would (see http_load.py), one process on a SQLite
file, twice: first with ``HEALTHCODE_OVERLOAD_SHEDDING=false``, then with the default settings
(shedding on). On each, with `wrk` on loopback and for ``--seconds`` each:

1. code display alone: ``GET /api/v1/me/code`` at ``--code-connections`` (the baseline p99),
   then online verification alone (``POST /api/v1/verify`` of a code, the same connections);
2. (first server only) the citizen's lists closed-loop at ``--low-connections``: the rate ``R``
   the server sustains of low-priority work (status history, declarations, access log and
   check-ins in turn);
3. the burst: the same lists offered at ``--factor`` x ``R`` by ``--burst-connections``
   connections, each pausing between requests (wrk's ``delay``) so that together they send
   ``factor x R`` a second while answers come quickly, and code display driven as in 1 at the
   same time; then a second burst with online verification driven instead.

wrk is a closed-loop generator: when the server does not shed, answers slow down and the
connections send less than ``factor x R`` (they are then all waiting on the server, the
backlog an overloaded server holds). Printed, for code display and for verification: requests
per second, p50 and p99 alone and under the burst, the lists answered and shed per second, the
ratio of the p99 under the burst to the p99 alone, shedding off and on, and whether the p99
under the burst is within the 100 ms that issue 12 sets for these routes. Any answer of code
display or verification that is not 2xx fails the run; the shed count of ``/metrics`` is
checked against wrk's count of 503s (and no critical request may have been shed). Run:
``python bench/overload.py`` (about four minutes at the defaults).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from http_load import Endpoint as Target
from http_load import Measure, _lua, _seed, parse_wrk, served
from scratch import sqlite_database

LISTS = (
    "/api/v1/me/status/history",
    "/api/v1/me/declarations",
    "/api/v1/me/access-log",
    "/api/v1/me/checkins",
)
CODE = Target("code display", "GET", "/api/v1/me/code")
P99_TARGET_MS = 100.0
"""Issue 12's p99 for code display and verification (item 1), under the burst too (item 5)."""


@dataclass(frozen=True)
class Lists:
    """What wrk saw of the low-priority side."""

    requests: int
    refused: int
    seconds: float

    @property
    def answered_per_second(self) -> float:
        return (self.requests - self.refused) / self.seconds

    @property
    def refused_per_second(self) -> float:
        return self.refused / self.seconds


@dataclass(frozen=True)
class Phase:
    label: str
    route: str
    code: Measure
    lists: Lists | None = None


def _lists_lua(token: str, delay_ms: float) -> str:
    paths = ", ".join(json.dumps(path) for path in LISTS)
    script = f"""local paths = {{{paths}}}
local n = 0
wrk.headers["Authorization"] = "Bearer {token}"
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
"""
    if delay_ms > 0:
        script += f"delay = function() return {delay_ms:.3f} end\n"
    return script


@contextmanager
def _wrk(
    args: argparse.Namespace, url: str, script: str, connections: int
) -> Iterator[subprocess.Popen[str]]:
    """A wrk run in the background for ``args.seconds``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    process = subprocess.Popen(  # noqa: S603 - wrk, arguments built here
        [
            args.wrk,
            f"--threads={min(connections, 2)}",
            f"--connections={connections}",
            f"--duration={args.seconds}s",
            "--timeout=30s",
            "--latency",
            f"--script={file.name}",
            url,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        Path(file.name).unlink()


def _output(process: subprocess.Popen[str], args: argparse.Namespace) -> str:
    out, _ = process.communicate(timeout=args.seconds + 90)
    if process.returncode != 0:
        raise SystemExit(f"wrk failed:\n{out}")
    return out


def _parse_lists(output: str) -> Lists:
    total = re.search(r"(\d+) requests in ([\d.]+)(s|m)", output)
    if total is None:
        raise SystemExit(f"cannot read wrk's output:\n{output}")
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    seconds = float(total.group(2)) * (60 if total.group(3) == "m" else 1)
    return Lists(int(total.group(1)), int(refused.group(1)) if refused else 0, seconds)


def _alone(base: str, token: str, target: Target, args: argparse.Namespace) -> Phase:
    with _wrk(args, base + target.path, _lua(target, token), args.code_connections) as alone:
        measure = parse_wrk(target.label, _output(alone, args))
    return Phase(f"{target.label} alone", target.label, measure)


def _sustained(base: str, token: str, args: argparse.Namespace) -> float:
    """Low-priority requests a second the server sustains, closed loop."""
    with _wrk(args, base + LISTS[0], _lists_lua(token, 0), args.low_connections) as lists:
        measured = _parse_lists(_output(lists, args))
    if measured.refused:
        raise SystemExit("the lists were refused while measuring what the server sustains")
    return measured.answered_per_second


def _burst(base: str, token: str, rate: float, target: Target, args: argparse.Namespace) -> Phase:
    offered = args.factor * rate
    delay_ms = args.burst_connections * 1000 / offered
    script = _lists_lua(token, delay_ms)
    with (
        _wrk(args, base + LISTS[0], script, args.burst_connections) as lists,
        _wrk(args, base + target.path, _lua(target, token), args.code_connections) as critical,
    ):
        critical_out, lists_out = _output(critical, args), _output(lists, args)
    measure = parse_wrk(target.label, critical_out)
    return Phase(f"{target.label} in burst", target.label, measure, _parse_lists(lists_out))


def _shed_count(base: str) -> dict[str, float]:
    with urllib.request.urlopen(base + "/metrics", timeout=30) as response:  # noqa: S310
        text = response.read().decode()
    found = re.findall(r'^healthcode_http_shed_total\{priority="(\w+)"\} (\S+)$', text, re.M)
    return {priority: float(count) for priority, count in found}


def run(
    url: str, shedding: bool, rate: float | None, args: argparse.Namespace
) -> tuple[float, list[Phase]]:
    environment = {"HEALTHCODE_OVERLOAD_SHEDDING": "true" if shedding else "false"}
    with (
        tempfile.TemporaryDirectory() as folder,
        served(url, Path(folder), settings=environment) as server,
    ):
        token, verification = _seed(server.base)
        verify = Target("verification", "POST", "/api/v1/verify", verification, False)
        targets = (CODE, verify)
        phases = [_alone(server.base, token, target, args) for target in targets]
        if rate is None:
            rate = _sustained(server.base, token, args)
        bursts = [_burst(server.base, token, rate, target, args) for target in targets]
        if shedding:
            shed = _shed_count(server.base)
            refused = sum(b.lists.refused for b in bursts if b.lists is not None)
            # wrk leaves out the answers still on their way when it stops: one per connection
            counted = shed.get("low", 0) - refused
            if shed.get("critical", 0) or not 0 <= counted <= 2 * args.burst_connections:
                raise SystemExit(f"/metrics counts {shed} shed, wrk {refused}")
    return rate, [*phases, *bursts]


def _report(rate: float, runs: dict[str, list[Phase]], args: argparse.Namespace) -> None:
    print(
        f"\nSQLite, `healthcode serve` (one process). Lists sustained: {rate:.1f} req/s at "
        f"{args.low_connections} connections; burst offered {args.factor:g}x = "
        f"{args.factor * rate:.0f} req/s over {args.burst_connections} connections; code "
        f"display and verification at {args.code_connections} connections; {args.seconds} s per "
        "phase"
    )
    head = f"  {'shedding':8} {'phase':26} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    print(head + f" {'lists ok/s':>10} {'shed/s':>8}")
    for name, phases in runs.items():
        for phase in phases:
            ok = f"{phase.lists.answered_per_second:10.1f}" if phase.lists else f"{'':10}"
            shed = f"{phase.lists.refused_per_second:8.1f}" if phase.lists else f"{'':8}"
            m = phase.code
            print(
                f"  {name:8} {phase.label:26} {m.requests_per_second:8.1f} {m.p50_ms:8.2f} "
                f"{m.p99_ms:8.2f} {ok} {shed}"
            )
    for name, phases in runs.items():
        alone = {p.route: p for p in phases if p.lists is None}
        for burst in (p for p in phases if p.lists is not None):
            ratio = burst.code.p99_ms / alone[burst.route].code.p99_ms
            within = "within" if burst.code.p99_ms < P99_TARGET_MS else "NOT within"
            print(
                f"  {burst.route} p99 under the burst / alone, shedding {name}: {ratio:.2f} "
                f"({burst.code.p99_ms:.1f} ms: {within} the {P99_TARGET_MS:g} ms target)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration of each phase")
    parser.add_argument("--code-connections", type=int, default=4)
    parser.add_argument("--low-connections", type=int, default=4)
    parser.add_argument("--burst-connections", type=int, default=64)
    parser.add_argument("--factor", type=float, default=10.0)
    parser.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk")
    args = parser.parse_args()
    if not Path(args.wrk).exists():
        raise SystemExit("wrk is not installed (make bench-http installs it with apt-get)")
    runs: dict[str, list[Phase]] = {}
    rate: float | None = None
    for shedding in (False, True):
        with sqlite_database("overload.db") as url:
            rate, runs["on" if shedding else "off"] = run(url, shedding, rate, args)
    assert rate is not None
    _report(rate, runs, args)


if __name__ == "__main__":
    main()
