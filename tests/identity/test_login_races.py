"""Login throttles and one-time codes under parallel requests: every attempt counts, the lock
holds, and a TOTP step is used once — on SQLite and PostgreSQL, with real concurrent
transactions (one thread and one unit of work per request)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from healthcode.container import Container
from healthcode.identity.officials import log_in_official
from healthcode.identity.passwords import FAILURE_WINDOW, LOCKOUT, MAX_FAILURES
from healthcode.identity.tables import AuthSessionRow
from healthcode.identity.website import log_in_citizen
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import NotAuthenticated, TooManyAttempts
from identity_helpers import PASSWORD, add_test_official, totp_code
from login_race_helpers import counted_checks, in_parallel, signed_up_phone

PARALLEL = 40


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
    phone = signed_up_phone(container)
    checked = counted_checks(monkeypatch)
    outcomes = in_parallel(
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
    checked = counted_checks(monkeypatch)
    outcomes = in_parallel(
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
    """40 parallel official logins with the same right password and code give one session."""
    kit = add_test_official(container, "li", "supervisor")
    counted_checks(monkeypatch)
    code = totp_code(kit.secret, clock.now())
    outcomes = in_parallel(
        PARALLEL,
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
    phone = signed_up_phone(container)

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
