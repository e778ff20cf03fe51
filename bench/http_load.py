"""HTTP throughput of the hot endpoints, measured with `wrk` against `healthcode serve`.

The server is started as an operator would: `healthcode init`, `healthcode keys init`, then
`healthcode serve` on a loopback port, once on a SQLite file in a temporary folder and once on a
scratch PostgreSQL database (see scratch.py), there with one API process and then with
``--processes`` of them (`serve --workers N`). One citizen is signed up through the use cases
(citizen.py) and logs in over HTTP; `wrk` then drives, one after the other and for a bounded
time each:

- ``GET /api/v1/me`` (the citizen's registration, the baseline: one authenticated read),
- ``GET /api/v1/me/code`` (a freshly signed code; the client draws the QR),
- ``GET /api/v1/me/code?qr=svg`` (the same with the server's SVG),
- ``POST /api/v1/verify`` (online verification of a code, no device signature),
- ``GET /.well-known/healthcode/trust-list``.

For each it prints requests per second, p50 and p99 latency, and the ratio code / me that
issue 12 targets (>= 0.5, p99 < 100 ms at 16 connections). Any answer that is not 2xx fails the
run. The server runs with load shedding off (``HEALTHCODE_OVERLOAD_SHEDDING=false``): this
measures what each endpoint sustains alone; overload.py measures the shedding. The server's
CPU per request is that of all its processes. Run: ``python bench/http_load.py`` (or ``make
bench-http``); ``--seconds``, ``--connections``, ``--backend`` and ``--processes`` change the
defaults.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from citizen import LOGIN, make_citizen
from healthcode import bootstrap
from healthcode.settings import Settings
from scratch import postgres_database, sqlite_database

ME = "GET /api/v1/me"
CODE = "GET /api/v1/me/code"
CODE_SVG = "GET /api/v1/me/code?qr=svg"
NO_SHEDDING = {"HEALTHCODE_OVERLOAD_SHEDDING": "false"}


class LoadErrors(Exception):
    """wrk saw answers other than 2xx, or broken connections."""


@dataclass(frozen=True)
class Endpoint:
    label: str
    method: str
    path: str
    body: str | None = None
    authenticated: bool = True


@dataclass(frozen=True)
class Measure:
    label: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    server_cpu_ms: float = 0.0
    """CPU the server process spent per request (user + system): unlike the rates, it does
    not depend on what else the machine is running."""


@dataclass(frozen=True)
class Server:
    base: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU time so far of the server process and of the processes it
        started (`serve --workers N`: the API processes), Linux /proc."""
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            if stat.parent.name == str(self.pid) or fields[1] == str(self.pid):
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _healthcode() -> str:
    beside = Path(sys.executable).with_name("healthcode")
    return str(beside) if beside.exists() else "healthcode"


def _call(base: str, method: str, path: str, body: object = None, token: str = "") -> object:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)  # noqa: S310 - loopback
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


def _wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"healthcode serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("healthcode serve did not become ready")


@contextmanager
def served(
    database_url: str, folder: Path, processes: int = 1, settings: Mapping[str, str] | None = None
) -> Iterator[Server]:
    """A `healthcode serve` of ``processes`` API processes on a loopback port over
    ``database_url``, once it is ready, with a verified citizen signed up; ``settings`` are
    further environment variables of the server."""
    env = {
        **os.environ,
        **(settings or {}),
        "HEALTHCODE_DATABASE_URL": database_url,
        "HEALTHCODE_DATA_KEY_FILE": str(folder / "data.key"),
        "HEALTHCODE_KEYS_DIR": str(folder / "keys"),
        "HEALTHCODE_AUDIT_ANCHOR_DIR": str(folder / "anchors"),
        "HEALTHCODE_SMS_FILE": str(folder / "sms.jsonl"),
    }
    for command in (["init"], ["keys", "init"]):
        subprocess.run(  # noqa: S603 - our own command, fixed arguments
            [_healthcode(), *command], env=env, cwd=folder, check=True, capture_output=True
        )
    seeding = bootstrap.build(
        Settings(
            database_url=database_url,
            data_key_file=folder / "data.key",
            keys_dir=folder / "keys",
            audit_anchor_dir=folder / "anchors",
            sms_file=folder / "sms.jsonl",
        )
    )
    try:
        make_citizen(seeding)
    finally:
        seeding.close()
    port = _free_port()
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [_healthcode(), "serve", "--port", str(port), "--workers", str(processes)],
        env=env,
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, server)
        yield Server(base, server.pid)
    except LoadErrors as error:
        log.flush()
        lines = (folder / "serve.log").read_text(errors="replace").splitlines()
        unusual = [line[:600] for line in lines if '"status": 2' not in line][-20:]
        shown = "\n".join(unusual)
        raise SystemExit(f"{error}\nthe server's log, less its 2xx answers:\n{shown}") from None
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _lua(endpoint: Endpoint, token: str) -> str:
    lines = [f"wrk.method = {json.dumps(endpoint.method)}"]
    if endpoint.body is not None:
        lines.append(f"wrk.body = {json.dumps(endpoint.body)}")
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    if endpoint.authenticated:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    return "\n".join(lines) + "\n"


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(label: str, output: str) -> Measure:
    """Requests per second and latency percentiles from `wrk --latency` output."""
    if re.search(r"Non-2xx or 3xx responses: (\d+)", output) or "Socket errors" in output:
        raise LoadErrors(f"{label}: errors under load:\n{output}")
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if rate is None or total is None or set(percentiles) != {"50", "99"}:
        raise SystemExit(f"{label}: cannot read wrk's output:\n{output}")
    return Measure(
        label=label,
        requests_per_second=float(rate.group(1)),
        p50_ms=_ms(percentiles["50"]),
        p99_ms=_ms(percentiles["99"]),
        requests=int(total.group(1)),
    )


def drive(server: Server, endpoint: Endpoint, token: str, args: argparse.Namespace) -> Measure:
    """Run wrk against one endpoint for ``args.seconds``."""
    cpu_before = server.cpu_seconds()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua(endpoint, token))
    try:
        result = subprocess.run(  # noqa: S603 - wrk, arguments built here
            [
                args.wrk,
                f"--threads={min(args.connections, 2)}",
                f"--connections={args.connections}",
                f"--duration={args.seconds}s",
                "--timeout=10s",
                "--latency",
                f"--script={script.name}",
                server.base + endpoint.path,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=args.seconds + 60,
        )
    finally:
        os.unlink(script.name)
    measure = parse_wrk(endpoint.label, result.stdout)
    # requests still being answered when wrk stops are few (one per connection at most)
    cpu = (server.cpu_seconds() - cpu_before) * 1000 / measure.requests
    return replace(measure, server_cpu_ms=cpu)


def _seed(base: str) -> tuple[str, str]:
    """Log the citizen in over HTTP: (session token, the body of a verification)."""
    token = str(_call(base, "POST", "/api/v1/website/login", LOGIN)["token"])  # type: ignore[index]
    code = _call(base, "GET", "/api/v1/me/code", token=token)
    return token, json.dumps({"token": code["token"], "colours": ["green"]})  # type: ignore[index]


def run_backend(
    name: str, database_url: str, args: argparse.Namespace, processes: int = 1
) -> list[Measure]:
    with (
        tempfile.TemporaryDirectory() as folder,
        # what the endpoints sustain, each alone: 16 connections of /api/v1/me would otherwise be
        # shed as low priority (bench/overload.py measures the shedding)
        served(database_url, Path(folder), processes, NO_SHEDDING) as server,
    ):
        token, verification = _seed(server.base)
        endpoints = (
            Endpoint(ME, "GET", "/api/v1/me"),
            Endpoint(CODE, "GET", "/api/v1/me/code"),
            Endpoint(CODE_SVG, "GET", "/api/v1/me/code?qr=svg"),
            Endpoint("POST /api/v1/verify", "POST", "/api/v1/verify", verification, False),
            Endpoint("GET trust list", "GET", "/.well-known/healthcode/trust-list", None, False),
        )
        measures = [drive(server, e, token, args) for e in endpoints]
    _report(name, measures, args, processes)
    return measures


def _report(name: str, measures: list[Measure], args: argparse.Namespace, processes: int) -> None:
    print(
        f"\n{name}: `healthcode serve` with {processes} API process(es), "
        f"{args.connections} connections, "
        f"{args.seconds} s per endpoint"
    )
    print(f"  {'endpoint':30} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>10}")
    for m in measures:
        print(
            f"  {m.label:30} {m.requests_per_second:8.1f} {m.p50_ms:8.2f} {m.p99_ms:8.2f} "
            f"{m.server_cpu_ms:10.2f}"
        )
    by_label = {m.label: m for m in measures}
    me, code, svg = by_label[ME], by_label[CODE], by_label[CODE_SVG]
    ratio = code.requests_per_second / me.requests_per_second
    target = "met" if ratio >= 0.5 and code.p99_ms < 100 else "NOT met"
    print(f"  ratio code / me: {ratio:.2f} (>= 0.5 with p99 < 100 ms: {target})")
    print(f"  ratio code?qr=svg / me: {svg.requests_per_second / me.requests_per_second:.2f}")
    print(f"  CPU per request, code / me: {code.server_cpu_ms / me.server_cpu_ms:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk")
    parser.add_argument(
        "--processes",
        type=int,
        nargs="+",
        default=[1, 2],
        help="PostgreSQL: the numbers of API processes to measure (SQLite serves one)",
    )
    args = parser.parse_args()
    if not Path(args.wrk).exists():
        raise SystemExit("wrk is not installed (make bench-http installs it with apt-get)")
    if args.backend in ("sqlite", "both"):
        with sqlite_database("http.db") as url:
            run_backend("SQLite", url, args)
    if args.backend in ("postgresql", "both"):
        for processes in args.processes:
            with postgres_database() as url:
                run_backend("PostgreSQL", url, args, processes)


if __name__ == "__main__":
    main()
