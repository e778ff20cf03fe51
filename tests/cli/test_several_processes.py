"""A deployment of several processes: two API processes and two workers, started as `healthcode
serve` and `healthcode worker`, against one fresh PostgreSQL database and one Redis, agreeing on
the time through HEALTHCODE_FIXED_CLOCK_AT. A case goes from its report to the contact's changed
code through them over HTTP, each step answered by a process other than the one before."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
from pydantic import ValidationError

from cli_helpers import run
from factories import resident_id
from healthcode import bootstrap
from healthcode.cli.exit_codes import ExitCode
from healthcode.codes.keys import init_keys
from healthcode.container import Container
from healthcode.identity.model import IdentityState
from healthcode.jobs.model import JobStatus
from healthcode.kernel.clock import SystemClock
from healthcode.settings import Settings
from healthcode.tracing.trace import TRACE_CASE_JOB
from identity_helpers import PASSWORD, add_test_official, bearer, totp_code
from presence_helpers import T0
from process_helpers import Processes, children, environment, processes
from redis_helpers import OwnRedis
from sign_up_helpers import website_sign_up
from tracing_helpers import hours, resident, stay

TRACED_WITHIN = 60.0  # seconds for a worker to trace the case and the contact to turn red
CONTACT = {"id_number": resident_id(2), "phone": "13900000002"}  # at home at 文三路1号


@pytest.fixture
def deployment(settings: Settings, tmp_path: Path) -> Iterator[tuple[Container, Processes]]:
    """A Redis of the test's own, the test's settings with it and a fixed clock, a container
    on them for setting the scene, and the processes the test starts (all stopped after)."""
    redis = OwnRedis(tmp_path)
    redis.start()
    try:
        shared = settings.model_copy(update={"redis_url": redis.url, "fixed_clock_at": T0})
        container = bootstrap.build(shared)
        try:
            with processes(tmp_path, environment(shared)) as started:
                yield container, started
        finally:
            container.close()
    finally:
        redis.stop()


def _call(
    base: str, method: str, path: str, *, headers: dict[str, str] | None = None, **body: Any
) -> Any:
    response = httpx2.request(method, base + path, json=body or None, headers=headers, timeout=30)
    assert response.is_success, f"{method} {path} on {base}: {response.status_code} {response.text}"
    return response.json()


def _set_the_scene(container: Container) -> tuple[str, str]:
    """Keys, a case and a contact who sat near them at a restaurant, two officials: (the
    case's subject, the contact's subject)."""
    init_keys(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )
    case = resident(container, 1, home=7)  # not the contact's household
    contact = website_sign_up(container, **CONTACT)
    with container.uow() as uow:  # as a channel's face check would confirm it
        uow.persons.set_identity(contact, IdentityState.VERIFIED)
        uow.commit()
    stay(container, case, "louwailou", T0 - hours(30), T0 - hours(29))
    stay(container, contact, "louwailou", T0 - hours(29.5), T0 - hours(28))
    return case, contact


def _official(container: Container, base: str, username: str, role: str) -> dict[str, str]:
    kit = add_test_official(container, username, role)
    login = {"username": username, "password": PASSWORD, "totp": totp_code(kit.secret, T0)}
    return bearer(_call(base, "POST", "/api/v1/officials/login", **login)["token"])


def _colour_within(base: str, headers: dict[str, str], colour: str, started: Processes) -> None:
    deadline = time.monotonic() + TRACED_WITHIN
    while time.monotonic() < deadline:
        if _call(base, "GET", "/api/v1/me/status", headers=headers)["colour"] == colour:
            return
        time.sleep(0.2)
    raise AssertionError(f"not {colour} within {TRACED_WITHIN} s:\n{started.logs()}")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_case_goes_from_report_to_changed_codes_through_two_apis_and_two_workers(
    deployment: tuple[Container, Processes],
) -> None:
    """Two API processes and two workers carry a case from its report to the contact's red code."""
    container, started = deployment
    case, contact = _set_the_scene(container)
    one, two = started.serve("api-1"), started.serve("api-2")
    workers = {str(started.worker(name).pid) for name in ("worker-1", "worker-2")}
    # a session opened on one process is honoured by the other: sessions are in the database
    login = {"phone": CONTACT["phone"], "password": PASSWORD}
    citizen = bearer(_call(one, "POST", "/api/v1/website/login", **login)["token"])
    before = _call(two, "GET", "/api/v1/me/code", headers=citizen)
    assert before["colour"] == "green"  # and now cached in Redis, by the second process
    wang = _official(container, one, "wang", "official")
    li = _official(container, two, "li", "supervisor")
    report = {
        "subject": case,
        "sampled_at": (T0 - hours(5)).isoformat(),
        "asymptomatic": True,
        "test_reference": "HZ-PCR-9",
        "reason": "positive at the fever clinic",
    }
    case_id = _call(one, "POST", "/api/v1/cases", headers=wang, **report)["payload"]["case_id"]
    confirmed = _call(two, "POST", f"/api/v1/cases/{case_id}/confirm", headers=li, note="ok")
    assert confirmed["result"]["colour"] == "red"  # the case itself, in the confirmation
    _colour_within(one, citizen, "red", started)  # a worker traced the contact
    after = _call(two, "GET", "/api/v1/me/code", headers=citizen)
    # signed at the time every process reads (HEALTHCODE_FIXED_CLOCK_AT)
    assert after["colour"] == "red" and datetime.fromisoformat(after["issued_at"]) == T0
    checked = _call(one, "POST", "/api/v1/verify", token=after["token"], colours=["red"])
    assert checked["colour"] == "red"
    shown = _call(two, "GET", f"/api/v1/cases/{case_id}", headers=wang)
    assert shown["state"] == "confirmed" and shown["trace_counts"] == {"venue": 1}
    with container.uow() as uow:  # the contact's status, as the database holds it
        status = uow.statuses.current(contact)
        traces = uow.jobs.list(kind=TRACE_CASE_JOB.name)
    assert status is not None and status.colour == "red"
    # traced by the `healthcode worker` processes (each named host:pid:suffix); a trace
    # again for late uploads waits, queued for later
    done = [j for j in traces if j.status is JobStatus.DONE]
    assert done and {(j.locked_by or "::").split(":")[1] for j in done} <= workers
    assert all(j.run_after > T0 for j in traces if j not in done)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_serve_workers_runs_that_many_api_processes_on_one_port(
    deployment: tuple[Container, Processes],
) -> None:
    """`serve --workers 2` on PostgreSQL answers on one port from two child processes."""
    _container, started = deployment
    base = started.serve("api", workers=2)
    assert _call(base, "GET", "/healthz")
    (supervisor, _log) = started.started[0]
    spawned = [c for c in children(supervisor.pid) if "multiprocessing" in c and "spawn" in c]
    assert len([c for c in spawned if "resource_tracker" not in c]) == 2, started.logs()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_serve_refuses_several_processes_on_sqlite(cli_env: Settings) -> None:
    """`serve --workers 2` on SQLite is refused as a setting (78), saying PostgreSQL is needed."""
    code, _out, err = run("serve", "--workers", "2")
    assert code == ExitCode.CONFIG
    assert "--workers 2 needs PostgreSQL" in err and "one writer at a time" in err


def test_a_fixed_clock_is_read_by_every_process_and_refused_with_an_sms_gateway() -> None:
    """HEALTHCODE_FIXED_CLOCK_AT fixes the clock; refused without a zone or with an SMS gateway."""
    assert bootstrap.settings_clock(Settings(fixed_clock_at=T0.isoformat())).now() == T0
    assert isinstance(bootstrap.settings_clock(Settings()), SystemClock)
    with pytest.raises(ValidationError, match="must name its zone"):
        Settings(fixed_clock_at="2026-03-01T09:00:00")
    with pytest.raises(ValidationError, match="refused with an SMS gateway"):
        Settings(fixed_clock_at=T0, sms_gateway_url="https://sms.example/send")
