"""Posting a signed message to a peer over HTTP (``PeerPoster`` on httpx2)."""

from __future__ import annotations

from typing import Final

import httpx2

from healthcode.federation.visitors_ports import PeerMessageRefused

EXPOSURES_PATH: Final = "/api/v1/federation/exposures"
TIMEOUT_SECONDS: Final = 10.0


class HttpPeerPoster:
    """POST the message to ``{base_url}/api/v1/federation/exposures``; anything but a 200 is
    ``PeerMessageRefused`` (the job retries it). Tests pass a client of their own."""

    def __init__(self, client: httpx2.Client | None = None) -> None:
        self._client = client or httpx2.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)

    def post(self, base_url: str, document: str) -> None:
        url = base_url.rstrip("/") + EXPOSURES_PATH
        try:
            answer = self._client.post(
                url, content=document.encode(), headers={"Content-Type": "application/json"}
            )
        except httpx2.HTTPError as exc:
            raise PeerMessageRefused(f"{exc.__class__.__name__} from {url}") from None
        if answer.status_code != httpx2.codes.OK:
            raise PeerMessageRefused(f"HTTP {answer.status_code} from {url}: {answer.text[:200]}")

    def close(self) -> None:
        self._client.close()
