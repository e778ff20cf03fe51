"""The log as `healthcode serve` writes it (JSON lines, the production configuration) holds no
names, ID numbers or phones, through a whole scenario: register, declare, case, trace, verify."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import resident_id
from healthcode.codes.keys import init_keys
from healthcode.container import Container
from healthcode.logs import REQUEST_ID, JsonLines, logging_config
from identity_helpers import PASSWORD, add_test_official, official_headers, website_citizen
from sign_up_helpers import last_code
from tracing_helpers import hours, stay, work

CASE = {"name": "欧阳明月", "id_number": resident_id(41), "phone": "13911114141"}
CONTACT = {"name": "司马青云", "id_number": resident_id(42), "phone": "13922224242"}
ADDRESSES = ("杭州市西湖区文三路41号", "杭州市西湖区文三路42号")


@pytest.fixture
def production_log() -> Iterator[io.StringIO]:
    """Logging configured as `healthcode serve` configures it (at DEBUG), into a buffer."""
    names = ("", *logging_config()["loggers"])
    saved = [
        (logging.getLogger(n), logging.getLogger(n).level, logging.getLogger(n).propagate)
        for n in names
    ]
    root = logging.getLogger()
    handlers = list(root.handlers)
    logging.config.dictConfig(logging_config("DEBUG"))
    buffer = io.StringIO()
    (ours,) = [h for h in root.handlers if isinstance(h.formatter, JsonLines)]
    assert isinstance(ours, logging.StreamHandler)
    ours.setStream(buffer)
    # pytest's capture handlers sit on the root logger too; keep them
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    yield buffer
    root.removeHandler(ours)
    for logger, level, propagate in saved:
        logger.setLevel(level)
        logger.propagate = propagate


def _scenario(client: TestClient, container: Container) -> int:
    """Register, declare, report and confirm a case, trace it, show and verify a code; how
    many requests were made."""
    requests = 0
    init_keys(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )
    case, _ = website_citizen(client, **CASE, address=ADDRESSES[0])
    contact, contact_headers = website_citizen(client, **CONTACT, address=ADDRESSES[1])
    requests += 6  # each: start, sign up, log in
    wrong = {"phone": CONTACT["phone"], "password": PASSWORD + "?"}
    assert client.post("/api/v1/website/login", json=wrong).status_code == 401
    # signing up again with a phone that has an account: answered like a new one, nothing made
    started = client.post("/api/v1/website/sign-up/start", json={"phone": CONTACT["phone"]})
    assert started.status_code == 202, started.text
    code = last_code(container, CONTACT["phone"])
    taken = {**CONTACT, "address": ADDRESSES[1], "password": PASSWORD, "code": code}
    assert client.post("/api/v1/website/sign-up", json=taken).status_code == 202
    fever = {"temperature": 38.5, "symptoms": ["fever"], "note": f"call {CONTACT['phone']}"}
    declared = client.post("/api/v1/me/declarations/health", json=fever, headers=contact_headers)
    assert declared.status_code == 201, declared.text
    requests += 4
    now = container.clock.now()
    stay(container, case, "louwailou", now - hours(30), now - hours(29))
    stay(container, contact, "louwailou", now - hours(29.5), now - hours(28))
    officials = {}
    for name, role in (("wang", "official"), ("li", "supervisor")):
        officials[name] = official_headers(client, add_test_official(container, name, role), now)
        requests += 1
    body = {
        "subject": case,
        "sampled_at": (now - hours(5)).isoformat(),
        "asymptomatic": True,
        "test_reference": "HZ-PCR-41",
        "reason": "positive at the fever clinic",
    }
    reported = client.post("/api/v1/cases", json=body, headers=officials["wang"])
    assert reported.status_code == 201, reported.text
    case_id = reported.json()["payload"]["case_id"]
    confirmed = client.post(f"/api/v1/cases/{case_id}/confirm", json={}, headers=officials["li"])
    assert confirmed.status_code == 200, confirmed.text
    person = client.get(f"/api/v1/people/{contact}", headers=officials["li"])
    assert person.status_code == 200, person.text
    requests += 3
    work(container)
    code = client.get("/api/v1/me/code?qr=svg", headers=contact_headers).json()
    verified = client.post("/api/v1/verify", json={"token": code["token"], "colours": ["red"]})
    assert verified.json()["colour"] == "red"
    requests += 2
    return requests


def test_a_whole_scenario_logs_no_personal_data(
    client: TestClient, container: Container, production_log: io.StringIO
) -> None:
    """Names, ID numbers, phones and addresses never reach the log; each request is a line."""
    requests = _scenario(client, container)
    lines = [json.loads(line) for line in production_log.getvalue().splitlines()]
    answered = [line for line in lines if line["message"] == "request"]
    assert len(answered) == requests
    assert len({line["request_id"] for line in answered}) == requests
    assert {"/api/v1/cases/{case_id}/confirm", "/api/v1/verify"} <= {
        line["route"] for line in answered
    }
    log = production_log.getvalue()
    # request ids are random hex: one may hold a phone's last four digits by chance
    for request_id in {str(line.get("request_id", "")) for line in lines} - {""}:
        log = log.replace(request_id, "")
    for person in (CASE, CONTACT):
        for value in person.values():
            assert value not in log
        assert person["phone"][-4:] not in log  # nor the tail a masked phone shows
    for address in ADDRESSES:
        assert address not in log


def test_an_exception_is_logged_without_its_message() -> None:
    """An exception's line names its type and code locations, never its message."""
    record: dict[str, Any] = {}

    class Keep(logging.Handler):
        def emit(self, entry: logging.LogRecord) -> None:
            record.update(json.loads(JsonLines().format(entry)))

    logger = logging.getLogger("healthcode.test_logs")
    keep = Keep()
    logger.addHandler(keep)
    token = REQUEST_ID.set("abc123")
    try:
        try:
            raise ValueError(f"duplicate phone {CASE['phone']}")
        except ValueError:
            logger.exception("registration failed")
    finally:
        REQUEST_ID.reset(token)
        logger.removeHandler(keep)
    assert record["exception"] == "ValueError" and record["request_id"] == "abc123"
    assert record["message"] == "registration failed"
    assert any("test_logs_without_personal_data.py" in frame for frame in record["stack"])
    assert CASE["phone"] not in json.dumps(record)
