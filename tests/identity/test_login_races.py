"""Login throttles and one-time codes under parallel requests: every attempt counts, the lock
holds, and a TOTP step is used once — on SQLite and PostgreSQL, with real concurrent
transactions (one thread and one unit of work per request)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from factories import register, registration
from healthcode.container import Container
from healthcode.identity import officials, passwords, website
from healthcode.identity.officials import log_in_official
from healthcode.identity.passwords import FAILURE_WINDOW, LOCKOUT, MAX_FAILURES
from healthcode.identity.tables import AuthSessionRow
from healthcode.identity.website import log_in_citizen, sign_up
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import NotAuthenticated, TooManyAttempts
from identity_helpers import PASSWORD, add_test_official, totp_code

PARALLEL = 40
CHECK_SECONDS = 0.02  # a password check takes time (argon2id): the window the race needs


def _counted_checks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Count every password check the login use cases make (and make each take a while)."""
    checked: list[bool] = []
    lock = threading.Lock()
    real = passwords.verify_password

    def verify(password_hash: str | None, password: str) -> bool:
        with lock:
            checked.append(True)
        time.sleep(CHECK_SECONDS)
        return real(password_hash, password)

    monkeypatch.setattr(website, "verify_password", verify)
    monkeypatch.setattr(officials, "verify_password", verify)
    return checked


def _in_parallel(count: int, attempt: Callable[[], object]) -> list[object]:
    """Run ``attempt`` in ``count`` threads released together; each outcome or error."""
    start = threading.Barrier(count)

    def one() -> object:
        start.wait()
        try:
            return attempt()
        except (NotAuthenticated, TooManyAttempts) as refused:
            return refused

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: one(), range(count)))


def _signed_up_phone(container: Container) -> str:
    sign_up(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        password=PASSWORD,
        person=register(),
    )
    phone: str = registration()["phone"]
    return phone


def _assert_locked(container: Container, identifier: str, clock: FixedClock) -> None:
    with container.uow() as uow:
        throttle = uow.throttles.get(identifier)
    assert throttle is not None
    assert throttle.failures == MAX_FAILURES
    assert throttle.locked_until == clock.now() + LOCKOUT


def test_parallel_wrong_passwords_check_at_most_the_allowed_number(
    container: Container, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """40 parallel wrong website logins check at most 5 passwords and leave the number locked."""
    phone = _signed_up_phone(container)
    checked = _counted_checks(monkeypatch)
    outcomes = _in_parallel(
        PARALLEL,
        lambda: log_in_citizen(
            uow=container.uow(), clock=clock, phone=phone, password="wrong password 1"
        ),
    )
    assert len(checked) <= MAX_FAILURES
    assert sum(isinstance(o, NotAuthenticated) for o in outcomes) == len(checked)
    assert sum(isinstance(o, TooManyAttempts) for o in outcomes) == PARALLEL - len(checked)
    _assert_locked(container, f"citizen:{phone}", clock)
    with pytest.raises(TooManyAttempts):
        log_in_citizen(uow=container.uow(), clock=clock, phone=phone, password=PASSWORD)
    clock.advance(LOCKOUT + timedelta(seconds=1))
    assert log_in_citizen(uow=container.uow(), clock=clock, phone=phone, password=PASSWORD).token


def test_parallel_wrong_official_logins_check_at_most_the_allowed_number(
    container: Container, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """40 parallel wrong official logins check at most 5 passwords; the account stays locked."""
    kit = add_test_official(container, "zhao")
    checked = _counted_checks(monkeypatch)
    outcomes = _in_parallel(
        PARALLEL,
        lambda: log_in_official(
            uow=container.uow(),
            clock=clock,
            username="zhao",
            password="wrong password 1",
            totp_code="123456",
        ),
    )
    assert len(checked) <= MAX_FAILURES
    assert sum(isinstance(o, TooManyAttempts) for o in outcomes) == PARALLEL - len(checked)
    _assert_locked(container, "official:zhao", clock)
    with pytest.raises(TooManyAttempts):
        log_in_official(
            uow=container.uow(),
            clock=clock,
            username="zhao",
            password=PASSWORD,
            totp_code=totp_code(kit.secret, clock.now()),
        )


def test_parallel_logins_with_one_totp_code_give_one_session(
    container: Container, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """10 parallel official logins with the same right password and code give one session."""
    kit = add_test_official(container, "li", "supervisor")
    _counted_checks(monkeypatch)
    code = totp_code(kit.secret, clock.now())
    outcomes = _in_parallel(
        10,
        lambda: log_in_official(
            uow=container.uow(), clock=clock, username="li", password=PASSWORD, totp_code=code
        ),
    )
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1
    with container.uow() as uow:
        sessions = uow.session.scalar(
            select(func.count())
            .select_from(AuthSessionRow)
            .where(AuthSessionRow.kind == "official")
        )
    assert sessions == 1


def test_failures_of_an_old_window_are_forgotten(container: Container, clock: FixedClock) -> None:
    """Failures older than the window start the count again; a right password clears it."""
    phone = _signed_up_phone(container)

    def wrong() -> None:
        with pytest.raises(NotAuthenticated):
            log_in_citizen(uow=container.uow(), clock=clock, phone=phone, password="wrong pass 12")

    for _ in range(MAX_FAILURES - 1):
        wrong()
    clock.advance(FAILURE_WINDOW + timedelta(seconds=1))
    for _ in range(MAX_FAILURES - 1):
        wrong()
    with container.uow() as uow:
        throttle = uow.throttles.get(f"citizen:{phone}")
    assert throttle is not None and throttle.failures == MAX_FAILURES - 1
    assert throttle.locked_until is None
    log_in_citizen(uow=container.uow(), clock=clock, phone=phone, password=PASSWORD)
    with container.uow() as uow:
        assert uow.throttles.get(f"citizen:{phone}") is None
