"""Text messages to phones (``SmsSender``): to an SMS gateway over HTTP, or appended to a file
for the demo and the tests.

The gateway gets ``POST <url>`` with the JSON body ``{"to": "<phone>", "text": "<message>"}``
(and ``Authorization: Bearer <token>`` when one is set); any 2xx answer means it took the
message. The file gets one JSON line per message, ``{"to", "text"}``, and is created 0600:
it holds sign-up codes."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import httpx2

from healthcode.identity.ports import SmsNotSent

GATEWAY_TIMEOUT_SECONDS = 10.0


class HttpSmsGateway:
    """An SMS gateway reached by HTTP POST; every failure is ``SmsNotSent``."""

    def __init__(
        self,
        url: str,
        *,
        token: str = "",
        timeout: float = GATEWAY_TIMEOUT_SECONDS,
        client: httpx2.Client | None = None,
    ) -> None:
        self._url = url
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = client or httpx2.Client(timeout=timeout, follow_redirects=False)

    def send(self, *, phone: str, text: str) -> None:
        try:
            response = self._client.post(
                self._url, json={"to": phone, "text": text}, headers=self._headers
            )
        except httpx2.HTTPError as error:
            raise SmsNotSent(f"the SMS gateway was not reached: {type(error).__name__}") from None
        if not 200 <= response.status_code < 300:
            raise SmsNotSent(f"the SMS gateway refused the message: HTTP {response.status_code}")

    def close(self) -> None:
        self._client.close()


class SmsFile:
    """Messages appended to a file, one JSON line each (the demo's and the tests' phone)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def send(self, *, phone: str, text: str) -> None:
        line = json.dumps({"to": phone, "text": text}, ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with self._lock:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                with os.fdopen(fd, "a", encoding="utf-8") as file:
                    file.write(line)
        except OSError as error:
            raise SmsNotSent(f"the SMS file {self.path} cannot be written: {error}") from None

    def messages(self, phone: str | None = None) -> list[dict[str, str]]:
        """The messages written so far (to ``phone`` only, when given), oldest first."""
        if not self.path.exists():
            return []
        found = [json.loads(line) for line in self.path.read_text("utf-8").splitlines() if line]
        return [m for m in found if phone is None or m["to"] == phone]

    def close(self) -> None:
        """Nothing to release: each message opens and closes the file."""
