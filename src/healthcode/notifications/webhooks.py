"""Sends webhooks over HTTP with httpx2; failures are reported, never raised."""

from __future__ import annotations

from collections.abc import Mapping

import httpx2

from healthcode.notifications.model import SendResult


class HttpWebhookSender:
    def __init__(self, *, timeout: float = 10.0, client: httpx2.Client | None = None) -> None:
        self._client = client or httpx2.Client(timeout=timeout, follow_redirects=False)

    def send(self, *, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        try:
            response = self._client.post(url, content=body, headers=dict(headers))
        except httpx2.HTTPError as error:
            return SendResult(ok=False, error=f"{type(error).__name__}: {error}")
        ok = 200 <= response.status_code < 300
        return SendResult(
            ok=ok, status=response.status_code, error="" if ok else f"HTTP {response.status_code}"
        )

    def close(self) -> None:
        self._client.close()
