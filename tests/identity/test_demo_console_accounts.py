"""The console's demo accounts: `demo officials` (and `demo seed`) make an official, a
supervisor and an auditor once with the demo password and published TOTP seeds, and `demo
totp` prints the code that logs them in; no other account's code is ever shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli_helpers import ok, run
from healthcode.container import Container
from healthcode.identity.demo import DEMO_CONSOLE_PASSWORD, DEMO_OFFICIALS
from healthcode.settings import Settings

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def at_t0(cli_env: Settings, container: Container, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The command line on the test's clock, so its codes are the ones the API expects."""
    monkeypatch.setenv("HEALTHCODE_FIXED_CLOCK_AT", container.clock.now().isoformat())
    return cli_env


def test_demo_officials_are_made_once_and_log_in_with_the_printed_code(
    at_t0: Settings, client: TestClient
) -> None:
    """Three accounts made, kept the second time; each logs in with `demo totp`'s code."""
    first = ok("demo", "officials")
    assert [(a["username"], a["role"], a["created"]) for a in first] == [
        ("demo.official", "official", True),
        ("demo.supervisor", "supervisor", True),
        ("demo.auditor", "auditor", True),
    ]
    assert [a["totp_secret"] for a in first] == [o.totp_secret for o in DEMO_OFFICIALS]
    assert all(a["totp_uri"].startswith("otpauth://totp/healthcode:demo.") for a in first)
    assert [a["created"] for a in ok("demo", "officials")] == [False] * 3
    for account in first:
        code = ok("demo", "totp", account["username"])
        assert len(code["code"]) == 6 and 0 < code["valid_for_seconds"] <= 30
        login = client.post(
            "/api/v1/officials/login",
            json={
                "username": account["username"],
                "password": DEMO_CONSOLE_PASSWORD,
                "totp": code["code"],
            },
        )
        assert login.status_code == 200, login.text
        assert login.json()["role"] == account["role"]


def test_no_code_is_shown_for_an_account_that_is_not_a_demo_one(at_t0: Settings) -> None:
    """`demo totp` of any other username is refused, naming the demo accounts."""
    code, out, err = run("demo", "totp", "tracer.wang")
    assert code == 1
    assert "demo.official" in out + err
    assert "username" in out + err


def test_demo_seed_makes_the_console_accounts_and_prints_them(
    at_t0: Settings, tmp_path: Path
) -> None:
    """`demo seed` prints the console's accounts with their seeds; its JSON stays the channels."""
    code, out, err = run("demo", "seed", "--keys-dir", str(tmp_path / "keys"))
    assert code == 0, err
    assert "demo.supervisor (supervisor, created)" in out
    assert DEMO_OFFICIALS[0].totp_secret in out
    assert "/console/login" in out
    assert [a["created"] for a in ok("demo", "officials")] == [False] * 3
