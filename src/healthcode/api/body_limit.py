"""A limit on the size of request bodies, before anything reads them whole.

Every request body is held to ``default`` bytes, or to the larger allowance given for its
method and path (a checkpoint's batch of 5,000 scans). A body that declares a larger
``Content-Length`` is refused at once, unread. A body sent without one (chunked) is counted as
it streams in, and refused as soon as it passes the limit: at most one chunk past it is ever
held. Either way the answer is ``413`` problem+json naming the limit, before any route runs its
use case (FastAPI reads the body before calling the route).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from healthcode.api.problems import PROBLEM_JSON

TOO_LARGE = 413


class BodyTooLarge(HTTPException):
    """The body passed its limit; FastAPI's body reading lets an HTTPException through, and
    ``api.problems`` answers it as problem+json."""

    def __init__(self, limit: int) -> None:
        super().__init__(TOO_LARGE, f"request body larger than {limit:,} bytes (the limit)")


class BodyLimit:
    """ASGI middleware holding each request body to its limit (see the module)."""

    def __init__(
        self, app: ASGIApp, *, default: int, larger: Mapping[tuple[str, str], int] | None = None
    ) -> None:
        self.app, self.default, self.larger = app, default, dict(larger or {})

    def limit_for(self, method: str, path: str) -> int:
        return self.larger.get((method, path), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, BodyTooLarge(limit))
            return
        counted = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal counted
            message = await receive()
            if message["type"] == "http.request":
                counted += len(message.get("body", b""))
                if counted > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge as refused:
            if started:
                raise
            await _refuse(send, refused)


def _content_length(scope: Scope) -> int | None:
    """The declared length; a malformed one counts as too large (it cannot be trusted)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else 2**63
    return None


async def _refuse(send: Send, refused: BodyTooLarge) -> None:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": "Content too large",
        "status": TOO_LARGE,
        "detail": refused.detail,
    }
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": TOO_LARGE,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
