"""Request bodies are held to a size limit: 413 problem+json naming it, whether the body
declares its length or streams in chunks, without reading a large body whole."""

from __future__ import annotations

import json
from typing import Any

import anyio
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Message

from healthcode.app import BATCH_ROUTES
from healthcode.container import Container

CHUNK = 64 * 1024


def _problem(response: Any) -> dict[str, Any]:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def test_a_declared_length_over_the_limit_is_refused_unread(
    client: TestClient, container: Container
) -> None:
    """An anonymous /verify with a body one byte over the limit is a 413 naming the limit."""
    limit = container.settings.max_body_bytes
    response = client.post(
        "/api/v1/verify",
        content=b"x" * (limit + 1),
        headers={"Content-Type": "application/json"},
    )
    problem = _problem(response)
    assert problem["title"] == "Content too large"
    assert problem["detail"] == f"request body larger than {limit:,} bytes (the limit)"


def test_a_body_within_the_limit_reaches_the_route(client: TestClient) -> None:
    """A small bad body is still refused by the route's own validation (422), not by size."""
    response = client.post("/api/v1/verify", json={"code": 5})
    assert response.status_code == 422, response.text


class _Stream:
    """An ASGI request of ``total`` bytes sent in 64 KiB chunks, counting what is pulled."""

    def __init__(self, total: int) -> None:
        self.total, self.pulled = total, 0

    async def receive(self) -> Message:
        size = min(CHUNK, self.total - self.pulled)
        self.pulled += size
        return {"type": "http.request", "body": b"x" * size, "more_body": self.pulled < self.total}


def _send_streamed(
    app: ASGIApp, path: str, total: int, headers: list[tuple[bytes, bytes]]
) -> tuple[int, dict[str, Any], int]:
    """Status, JSON body and bytes pulled when ``total`` bytes stream to POST ``path``."""
    stream = _Stream(total)
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    anyio.run(app, scope, stream.receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body), stream.pulled


def test_a_chunked_200_mb_body_is_refused_after_the_limit(
    client: TestClient, container: Container
) -> None:
    """200 MB streamed to /verify without a length is refused one chunk past the limit."""
    limit = container.settings.max_body_bytes
    status, problem, pulled = _send_streamed(client.app, "/api/v1/verify", 200 * 2**20, [])
    assert status == 413
    assert problem["detail"] == f"request body larger than {limit:,} bytes (the limit)"
    assert pulled <= limit + CHUNK


def test_a_body_longer_than_it_declared_is_counted_too(
    client: TestClient, container: Container
) -> None:
    """A Content-Length of 10 does not let 5 MB through: the streamed bytes are counted."""
    limit = container.settings.max_body_bytes
    status, _, pulled = _send_streamed(
        client.app, "/api/v1/verify", 5 * 2**20, [(b"content-length", b"10")]
    )
    assert status == 413
    assert pulled <= limit + CHUNK


def test_batch_uploads_have_the_larger_allowance(client: TestClient, container: Container) -> None:
    """A 2 MiB scan or location batch reaches its route; past the batch limit it is a 413."""
    settings = container.settings
    assert settings.max_body_bytes < 2 * 2**20 < settings.max_batch_body_bytes
    for method, path in BATCH_ROUTES:
        assert method == "POST"
        padding = "x" * (2 * 2**20)
        response = client.post(path, json={"device": padding, "pings": [], "scans": []})
        assert response.status_code != 413, path
        status, problem, pulled = _send_streamed(
            client.app, path, settings.max_batch_body_bytes + 3 * CHUNK, []
        )
        assert status == 413
        assert f"{settings.max_batch_body_bytes:,} bytes" in problem["detail"]
        assert pulled <= settings.max_batch_body_bytes + CHUNK
