"""Helpers for the login race tests: parallel attempts, each in its own thread (and so its own
unit of work and transaction), and a count of the password checks they make."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from factories import registration
from healthcode.container import Container
from healthcode.identity import officials, passwords, website
from healthcode.kernel.errors import NotAuthenticated, TooManyAttempts
from sign_up_helpers import website_sign_up

CHECK_SECONDS = 0.02  # a password check takes time (argon2id): the window the race needs


def counted_checks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
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


def in_parallel(count: int, attempt: Callable[[], object]) -> list[object]:
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


def signed_up_phone(container: Container) -> str:
    website_sign_up(container)
    phone: str = registration()["phone"]
    return phone
