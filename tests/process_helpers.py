"""`healthcode serve` and `healthcode worker` as separate processes on loopback, as an operator
starts them, for tests of a deployment of several processes: each is started with the test's
settings in its environment, waited for within a bound, and always stopped (terminated, then
killed) when the test ends."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx2

import healthcode
from healthcode.settings import Settings

READY_SECONDS = 90.0  # two busy cores: a process importing everything may take a while
STOP_SECONDS = 15.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def healthcode_command() -> list[str]:
    """The `healthcode` entry point installed beside this interpreter."""
    beside = Path(sys.executable).with_name("healthcode")
    return [str(beside)] if beside.exists() else ["healthcode"]


def environment(settings: Settings, **extra: str) -> dict[str, str]:
    """This process's environment with ``settings`` as HEALTHCODE_ variables, and this source
    tree first on the path (the processes run the code under test)."""
    source = str(Path(healthcode.__file__).resolve().parents[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEALTHCODE_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH")) if p)
    for name, value in settings.model_dump(exclude_none=True).items():
        shown = value.isoformat() if isinstance(value, datetime) else str(value)
        env[f"HEALTHCODE_{name.upper()}"] = shown
    env.update(extra)
    return env


@dataclass
class Processes:
    """The processes a test started, with their logs; ``stop_all`` ends every one."""

    folder: Path
    env: dict[str, str]
    started: list[tuple[subprocess.Popen[bytes], Path]] = field(default_factory=list)

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = self.folder / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
                [*healthcode_command(), *args],
                env=self.env,
                cwd=self.folder,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: stopping it stops its children
            )
        self.started.append((process, log))
        return process

    def serve(self, name: str, *, workers: int = 1) -> str:
        """A `healthcode serve` on a free loopback port, once /readyz answers 200: its base URL."""
        port = free_port()
        process = self.start(name, "serve", "--port", str(port), "--workers", str(workers))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}:\n{self.logs()}")
            try:
                if httpx2.get(base + "/readyz", timeout=2).status_code == 200:
                    return base
            except httpx2.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{name} was not ready within {READY_SECONDS} s:\n{self.logs()}")

    def worker(self, name: str, *, interval: float = 0.2) -> subprocess.Popen[bytes]:
        return self.start(name, "worker", "--interval", str(interval))

    def logs(self, tail: int = 40) -> str:
        """The last lines each process wrote, for a failure's message."""
        parts = []
        for process, log in self.started:
            lines = log.read_text(errors="replace").splitlines()[-tail:]
            parts.append(f"--- {log.name} (pid {process.pid}) ---\n" + "\n".join(lines))
        return "\n".join(parts)

    def stop_all(self) -> None:
        for process, _log in self.started:
            _signal_group(process, signal.SIGTERM)
        for process, _log in self.started:
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait(timeout=STOP_SECONDS)


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    """Signal the process group the test started (the process and any children it made)."""
    with contextlib.suppress(ProcessLookupError):  # the group has ended
        os.killpg(process.pid, signum)


@contextmanager
def processes(folder: Path, env: dict[str, str]) -> Iterator[Processes]:
    """Start processes inside; every one is stopped on the way out, whatever happened."""
    started = Processes(folder, env)
    try:
        yield started
    finally:
        started.stop_all()


def children(pid: int) -> list[str]:
    """The command lines of the processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # ended meanwhile
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(cmdline)
    return found
