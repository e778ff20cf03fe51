"""`healthcode scan upload --server`: a server shedding load (503 with Retry-After) is tried
again after the wait it asks for, a bounded number of times; a 503 without Retry-After (a
retired instance) is not; every failure keeps the queue for the next run (exit 69)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cli_helpers import ok, run
from healthcode.presence.commands import scan as scan_command
from healthcode.settings import Settings

RECEIPT = {"batch": "b1", "stored": 1, "duplicates": 0}
# one queued scan, as `scan` writes it (checkpoint/batches.py)
QUEUED = {
    "seq": 1772326800123,
    "subject": "5f0c3a9e8d7b6a5f4e3d2c1b0a998877",
    "at": "2026-03-01T01:00:00Z",
    "outcome": "pass",
    "reason": "ok",
    "issuer": "330100",
    "temperature": 36.6,
    "vehicle": None,
    "repeat_of": None,
}


class Busy:
    """A server answering 503 (with ``retry_after``, if any) ``busy`` times, then a receipt."""

    def __init__(self, busy: int, retry_after: str | None) -> None:
        self.busy, self.retry_after, self.requests = busy, retry_after, 0

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                server.requests += 1
                busy = server.requests <= server.busy
                body = json.dumps({"detail": "busy"} if busy else RECEIPT).encode()
                self.send_response(503 if busy else 200)
                if busy and server.retry_after is not None:
                    self.send_header("Retry-After", server.retry_after)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                return

        return Handler


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits the upload asks for, instead of sleeping through them."""
    asked: list[float] = []
    monkeypatch.setattr(scan_command, "pause", asked.append)
    return asked


def _serve(busy: Busy) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), busy.handler())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _device(tmp_path: Path) -> Path:
    """A checkpoint's device file (keys, an organisation, a venue and its device)."""
    ok("keys", "init", "--at", "2026-02-01T09:00:00+08:00")
    org = ok("org", "add", "杭州公交", "--at", "2026-03-01T09:00:00+08:00")["id"]
    venue = ok(
        "venue", "add", "--org", org, "--name-zh", "7路", "--name-en", "Route 7",
        "--kind", "bus_route", "--lat", "30.259", "--lon", "120.149",
        "--at", "2026-03-01T09:00:00+08:00",
    )["id"]  # fmt: skip
    device = tmp_path / "device.json"
    ok("device", "add", "--venue", venue, "--key-out", str(device))
    return device


def _upload(tmp_path: Path, busy: Busy) -> tuple[int, str, str, Path]:
    device = _device(tmp_path)
    queue = tmp_path / "scans.jsonl"
    queue.write_text(json.dumps(QUEUED) + "\n", encoding="utf-8")
    for server in _serve(busy):
        code, out, err = run(
            "scan", "upload", "--device-key", str(device), "--queue", str(queue),
            "--server", server, "--json",
        )  # fmt: skip
    return code, out, err, queue


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_busy_server_is_tried_again_after_its_retry_after(
    cli_env: Settings, tmp_path: Path, waits: list[float]
) -> None:
    """Two 503s with Retry-After: 2, then the receipt: three tries, two waits of 2 s, sent."""
    busy = Busy(2, "2")
    code, out, err, queue = _upload(tmp_path, busy)
    assert code == 0, err
    assert (busy.requests, waits) == (3, [2.0, 2.0])
    assert json.loads(out)["stored"] == 1 and queue.read_text(encoding="utf-8") == ""  # sent


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_tries_are_bounded_and_the_queue_kept(
    cli_env: Settings, tmp_path: Path, waits: list[float]
) -> None:
    """Always busy, asking 10 minutes: five tries, each wait capped at 60 s, exit 69."""
    busy = Busy(99, "600")
    code, _, err, queue = _upload(tmp_path, busy)
    assert code == 69 and "after 5 tries" in json.loads(err)["error"]
    assert busy.requests == scan_command.UPLOAD_ATTEMPTS == 5
    assert waits == [scan_command.MAX_RETRY_WAIT] * 4
    assert json.loads(queue.read_text(encoding="utf-8")) == QUEUED


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_503_without_retry_after_is_not_retried(
    cli_env: Settings, tmp_path: Path, waits: list[float]
) -> None:
    """A retired instance's 503 names no wait: one try, exit 69, the server's detail shown."""
    busy = Busy(99, None)
    code, _, err, queue = _upload(tmp_path, busy)
    assert code == 69 and "busy" in json.loads(err)["error"]
    assert (busy.requests, waits) == (1, [])
    assert queue.exists()


def test_retry_after_reads_seconds_and_http_dates() -> None:
    """Delta-seconds and an HTTP date both give a wait, capped; anything else none."""
    now = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    assert scan_command.retry_after("3", now) == 3.0
    assert scan_command.retry_after("Sun, 01 Mar 2026 01:00:30 GMT", now) == 30.0
    assert scan_command.retry_after("Sun, 01 Mar 2026 00:59:00 GMT", now) == 0.0
    assert scan_command.retry_after("86400", now) == scan_command.MAX_RETRY_WAIT
    assert scan_command.retry_after("soon", now) is None
    assert scan_command.retry_after(None, now) is None
