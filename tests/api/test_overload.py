"""Under overload, low-priority requests are shed with 503 and Retry-After before any work while
code display and verification are answered; a shed write leaves nothing, an admitted one is kept.

The concurrency is made explicit, not timed: low-priority writes are admitted and then held by
their request bodies, which the test releases when it chooses, so the number in flight is known
while the burst arrives. The requests go straight to the ASGI app, all in one event loop."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import anyio
import pytest
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Message

from healthcode.api.shedding import Admission
from healthcode.codes.keys import init_keys
from healthcode.container import Container
from healthcode.settings import Settings
from identity_helpers import website_citizen

LOW_LIMIT = 2
IN_FLIGHT_LIMIT = 12
HEALTH = "/api/v1/me/declarations/health"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with small limits, and no waiting in line for critical requests;
    the low limit fixed (its adaptation is tested in test_adaptive_low_limit.py)."""
    return settings.model_copy(
        update={
            "overload_critical_target_seconds": 0.0,
            "overload_low_in_flight": LOW_LIMIT,
            "overload_max_in_flight": IN_FLIGHT_LIMIT,
            "overload_queue_seconds": 0.0,
            "overload_retry_after_seconds": 3,
        }
    )


@dataclass
class Call:
    """One request sent to the ASGI app, its body held back until ``hold`` is set."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""
    hold: anyio.Event | None = None
    body_read: bool = False
    messages: list[Message] = field(default_factory=list)

    @property
    def status(self) -> int:
        return int(self.messages[0]["status"])

    @property
    def answer_headers(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.messages[0]["headers"]}

    def json(self) -> object:
        return json.loads(b"".join(m.get("body", b"") for m in self.messages[1:]))

    async def run(self, app: ASGIApp) -> None:
        never = anyio.Event()

        async def receive() -> Message:
            if self.body_read:
                await never.wait()  # nothing more comes; the app may listen for a disconnect
            if self.hold is not None:
                await self.hold.wait()
            self.body_read = True
            return {"type": "http.request", "body": self.body, "more_body": False}

        async def send(message: Message) -> None:
            self.messages.append(message)

        headers = [(b"host", b"testserver"), (b"content-length", str(len(self.body)).encode())]
        headers += [(k.lower().encode(), v.encode()) for k, v in self.headers.items()]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": self.method,
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 1234),
            "server": ("testserver", 80),
        }
        await app(scope, receive, send)


def _declaration(headers: dict[str, str], note: str, hold: anyio.Event | None = None) -> Call:
    body = json.dumps({"temperature": 36.6, "note": note}).encode()
    typed = {**headers, "content-type": "application/json"}
    return Call("POST", HEALTH, typed, body, hold)


async def _until_in_flight(admission: Admission, count: int) -> None:
    """Let the held requests reach their routes (bounded: they only wait for the event loop)."""
    with anyio.fail_after(10):
        while admission.in_flight != count:
            await anyio.sleep(0.001)


async def _burst(app: ASGIApp, admission: Admission, held: list[Call], burst: list[Call]) -> None:
    release = anyio.Event()
    for call in held:
        call.hold = release
    async with anyio.create_task_group() as group:
        for call in held:
            group.start_soon(call.run, app)
        await _until_in_flight(admission, len(held))
        async with anyio.create_task_group() as burst_group:
            for call in burst:
                burst_group.start_soon(call.run, app)
        release.set()
    assert admission.in_flight == 0 and admission.waiting == 0


def _sample(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or "")) if match else None
        if match and match.group(1) == name and found == labels:
            return float(match.group(3))
    return None


def _citizen(client: TestClient, container: Container) -> tuple[dict[str, str], str]:
    """A verified citizen's headers, and the body of a verification of one of their codes."""
    init_keys(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction=container.settings.jurisdiction,
    )
    _, headers = website_citizen(client)
    token = client.get("/api/v1/me/code", headers=headers).json()["token"]
    return headers, json.dumps({"token": token})


def test_a_burst_sheds_low_priority_work_and_answers_codes_and_verifications(
    client: TestClient, container: Container
) -> None:
    """With the low-priority share taken, 40 lists and writes get 503 unread; codes answer."""
    # 10 code displays and verifications are all answered meanwhile; nothing shed is stored
    headers, verification = _citizen(client, container)
    app, admission = client.app, client.app.state.admission  # type: ignore[attr-defined]
    held = [_declaration(headers, f"held {n}") for n in range(LOW_LIMIT)]
    low = [
        *(_declaration(headers, f"shed {n}") for n in range(20)),
        *(Call("GET", "/api/v1/me/declarations", headers) for _ in range(10)),
        *(Call("GET", "/api/v1/me/status/history", headers) for _ in range(10)),
    ]
    json_body = {"content-type": "application/json"}
    critical = [
        *(Call("GET", "/api/v1/me/code", headers) for _ in range(5)),
        *(Call("POST", "/api/v1/verify", json_body, verification.encode()) for _ in range(5)),
    ]
    anyio.run(_burst, app, admission, held, low + critical)

    for call in critical:
        assert call.status == 200, call.json()
    for call in low:
        assert call.status == 503
        assert call.answer_headers["retry-after"] == "3"
        assert call.answer_headers["content-type"] == "application/problem+json"
        assert not call.body_read  # refused before anything read the request
    assert [call.status for call in held] == [201] * LOW_LIMIT
    assert _notes(client, headers) == [f"held {n}" for n in range(LOW_LIMIT)]
    text = client.get("/metrics").text
    assert _sample(text, "healthcode_http_shed_total", priority="low") == 40
    assert _sample(text, "healthcode_http_shed_total", priority="critical") == 0
    # only the admitted writes reached a route; the shed ones are counted above, not logged
    written = {"route": HEALTH, "method": "POST", "status": "201"}
    assert _sample(text, "healthcode_http_requests_total", **written) == LOW_LIMIT
    assert "503" not in re.findall(r'status="(\d+)"', text)


def test_a_shed_write_sent_again_is_stored_once(client: TestClient, container: Container) -> None:
    """A declaration shed under overload and sent again after it is answered 201 and kept once."""
    headers, _ = _citizen(client, container)
    app, admission = client.app, client.app.state.admission  # type: ignore[attr-defined]
    held = [_declaration(headers, f"held {n}") for n in range(LOW_LIMIT)]
    shed = _declaration(headers, "again")
    anyio.run(_burst, app, admission, held, [shed])
    assert shed.status == 503 and not shed.body_read
    assert _notes(client, headers) == ["held 0", "held 1"]
    again = client.post(HEALTH, json={"temperature": 36.6, "note": "again"}, headers=headers)
    assert again.status_code == 201, again.text
    assert _notes(client, headers) == ["again", "held 0", "held 1"]


def _notes(client: TestClient, headers: dict[str, str]) -> list[str]:
    return sorted(d["note"] for d in client.get("/api/v1/me/declarations", headers=headers).json())


def test_health_and_metrics_answer_while_the_process_is_full(
    client: TestClient, container: Container
) -> None:
    """Probes are neither counted nor shed: /healthz and /metrics answer 200 at the limit."""
    headers, _ = _citizen(client, container)
    app, admission = client.app, client.app.state.admission  # type: ignore[attr-defined]
    held = [_declaration(headers, f"held {n}") for n in range(LOW_LIMIT)]
    probes = [Call("GET", "/healthz", {}), Call("GET", "/metrics", {})]
    anyio.run(_burst, app, admission, held, probes)
    assert [call.status for call in probes] == [200, 200]
    in_flight = re.search(r"^healthcode_http_in_flight (\S+)$", str(_text(probes[1])), re.M)
    assert in_flight is not None and float(in_flight.group(1)) == LOW_LIMIT


def _text(call: Call) -> str:
    return b"".join(m.get("body", b"") for m in call.messages[1:]).decode()
