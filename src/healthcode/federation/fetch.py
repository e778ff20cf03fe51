"""Fetching a peer's published trust list over HTTP (``TrustListFetcher`` on httpx2)."""

from __future__ import annotations

from typing import Final

import httpx2

from healthcode.federation.ports import PeerUnreachable

TRUST_LIST_PATH: Final = "/.well-known/healthcode/trust-list"
MAX_BYTES: Final = 1_000_000
TIMEOUT_SECONDS: Final = 10.0


class HttpTrustListFetcher:
    """GET ``{base_url}/.well-known/healthcode/trust-list``; anything but a 200 with a body
    under ``MAX_BYTES`` is ``PeerUnreachable``. Tests pass a client of their own (an
    in-process app's ``TestClient`` is one)."""

    def __init__(self, client: httpx2.Client | None = None) -> None:
        self._client = client or httpx2.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)

    def fetch(self, base_url: str) -> bytes:
        url = base_url.rstrip("/") + TRUST_LIST_PATH
        try:
            with self._client.stream("GET", url) as answer:
                if answer.status_code != httpx2.codes.OK:
                    raise PeerUnreachable(f"HTTP {answer.status_code} from {url}")
                body = b""
                for chunk in answer.iter_bytes():
                    body += chunk
                    if len(body) > MAX_BYTES:
                        raise PeerUnreachable(f"more than {MAX_BYTES} bytes from {url}")
                return body
        except httpx2.HTTPError as exc:
            raise PeerUnreachable(f"{exc.__class__.__name__} from {url}") from None

    def close(self) -> None:
        self._client.close()
