"""The peer link for arrivals over HTTP (``PeerLink`` on httpx2): a signed COSE message
POSTed as ``{"request": base64url}``, the signed answer read back from ``{"answer": ...}``."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Final

import httpx2

from healthcode.federation.arrivals_model import ArrivalRefused
from healthcode.federation.arrivals_ports import OriginUnreachable

MAX_BYTES: Final = 64_000
TIMEOUT_SECONDS: Final = 10.0
_REFUSALS: Final = range(400, 500)


class HttpPeerLink:
    """POST to a peer; a 4xx answer is the peer's refusal (``ArrivalRefused``, its detail),
    anything else but a 200 is ``OriginUnreachable``. Tests pass a client of their own."""

    def __init__(self, client: httpx2.Client | None = None) -> None:
        self._client = client or httpx2.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)

    def post(self, url: str, body: bytes) -> bytes:
        try:
            answer = self._client.post(url, json={"request": b64encode(body)})
        except httpx2.HTTPError as exc:
            raise OriginUnreachable(f"{exc.__class__.__name__} from {url}") from None
        if answer.status_code in _REFUSALS:
            raise ArrivalRefused("origin_refused", _detail(answer.content))
        if answer.status_code != httpx2.codes.OK or len(answer.content) > MAX_BYTES:
            raise OriginUnreachable(f"HTTP {answer.status_code} from {url}")
        try:
            return b64decode(str(answer.json()["answer"]))
        except (ValueError, KeyError, TypeError):
            raise ArrivalRefused("malformed", f"no signed answer from {url}") from None

    def close(self) -> None:
        self._client.close()


def _detail(content: bytes) -> str:
    try:
        detail = json.loads(content).get("detail", "")
    except (ValueError, AttributeError):
        detail = ""
    return str(detail)[:500] or "refused"


def b64encode(raw: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def b64decode(text: str) -> bytes:
    """Unpadded base64url; ``ValueError`` otherwise."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError(str(exc)) from None
