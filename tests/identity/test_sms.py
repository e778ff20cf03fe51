"""The SMS port: the HTTP gateway adapter against a loopback server, the file adapter, and text
messages as jobs (encrypted while they wait, retried while the gateway fails, sent once)."""

from __future__ import annotations

import json
import socket
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from healthcode.bootstrap import sms_sender
from healthcode.container import Container
from healthcode.identity.ports import SmsNotSent
from healthcode.identity.sign_up import start_sign_up
from healthcode.identity.sms import HttpSmsGateway, SmsFile
from healthcode.identity.tables import OutgoingTextRow
from healthcode.identity.texts import SEND_TEXT, TEXT_ATTEMPTS, TEXT_BACKOFF, text_kind
from healthcode.jobs.model import JobKinds, JobStatus
from healthcode.jobs.queue import run_due
from healthcode.kernel.clock import FixedClock
from healthcode.settings import Settings

PHONE = "13833330001"


@dataclass
class Gateway:
    """What the loopback gateway received, and what it answers."""

    status: int = 200
    received: list[tuple[dict[str, str], dict[str, str]]] = field(default_factory=list)


@pytest.fixture
def gateway() -> Iterator[tuple[Gateway, str]]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append((dict(self.headers.items()), json.loads(body)))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/sms"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_the_gateway_gets_the_message_as_json(gateway: tuple[Gateway, str]) -> None:
    """The gateway adapter POSTs {to, text} with the bearer token."""
    state, url = gateway
    sender = HttpSmsGateway(url, token="t0ken")
    sender.send(phone=PHONE, text="你好")
    sender.close()
    ((headers, body),) = state.received
    assert body == {"to": PHONE, "text": "你好"}
    assert headers["Authorization"] == "Bearer t0ken"


def test_a_refusing_or_unreachable_gateway_is_sms_not_sent(gateway: tuple[Gateway, str]) -> None:
    """A 5xx answer and a closed port are both ``SmsNotSent``, never another error."""
    state, url = gateway
    state.status = 503
    with pytest.raises(SmsNotSent, match="HTTP 503"):
        HttpSmsGateway(url).send(phone=PHONE, text="x")
    with pytest.raises(SmsNotSent, match="not reached"):
        HttpSmsGateway(f"http://127.0.0.1:{_free_port()}/sms", timeout=2).send(
            phone=PHONE, text="x"
        )


def test_the_file_adapter_appends_private_json_lines(tmp_path: Path) -> None:
    """Each message is one JSON line in a file only its owner may read."""
    sms = SmsFile(tmp_path / "texts" / "sms.jsonl")
    sms.send(phone=PHONE, text="one")
    sms.send(phone="13833330002", text="two")
    assert stat.S_IMODE(sms.path.stat().st_mode) == 0o600
    assert sms.messages(PHONE) == [{"to": PHONE, "text": "one"}]
    assert len(sms.messages()) == 2


def test_settings_choose_the_adapter(tmp_path: Path) -> None:
    """A gateway URL gives the HTTP adapter, none the file; a URL that is not http(s) is refused."""
    with_url = Settings(sms_gateway_url="https://sms.example/send", sms_file=tmp_path / "s")
    assert isinstance(sms_sender(with_url), HttpSmsGateway)
    assert isinstance(sms_sender(Settings(sms_file=tmp_path / "s")), SmsFile)
    with pytest.raises(ValueError, match="sms_gateway_url"):
        Settings(sms_gateway_url="ftp://sms.example")


def test_a_text_waits_encrypted_and_is_retried_until_the_gateway_takes_it(
    container: Container, clock: FixedClock, gateway: tuple[Gateway, str]
) -> None:
    """A text waits encrypted, is retried while the gateway fails, and is sent once."""
    # The code waits encrypted in its own row; a failing gateway leaves the job to retry, and
    # once sent the row is gone and a second run sends nothing.
    state, url = gateway
    start_sign_up(uow=container.uow(), clock=container.clock, phone=PHONE, client_address="a")
    with container.uow() as uow:
        (row,) = uow.session.scalars(select(OutgoingTextRow))
        assert PHONE.encode() not in row.phone_enc + row.text_enc
        assert b"code" not in row.text_enc
    kinds = JobKinds([text_kind(HttpSmsGateway(url))])
    state.status = 500
    (failed,) = run_due(uow_factory=container.uow, clock=container.clock, kinds=kinds, worker="w")
    assert failed.status is JobStatus.PENDING and "HTTP 500" in failed.error
    state.status = 200
    clock.advance(TEXT_BACKOFF.delay(1))
    retried = run_due(uow_factory=container.uow, clock=container.clock, kinds=kinds, worker="w")
    assert [o.status for o in retried] == [JobStatus.DONE]
    assert len(state.received) == 2 and state.received[-1][1]["to"] == PHONE
    assert "sign-up code" in state.received[-1][1]["text"]
    with container.uow() as uow:
        assert uow.session.scalars(select(OutgoingTextRow)).all() == []
        (job,) = uow.jobs.list(kind=SEND_TEXT)
    with container.uow() as uow:  # the job run again (a crash after its commit was lost)
        assert text_kind(HttpSmsGateway(url)).run(uow, clock, job) is False
    assert len(state.received) == 2
    assert text_kind(HttpSmsGateway(url)).max_attempts == TEXT_ATTEMPTS
