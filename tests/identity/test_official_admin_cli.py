"""`healthcode official`: the console bootstraps two admins, then accounts are proposals."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from cli_helpers import add_official, ok, run
from healthcode.kernel.clock import FixedClock
from healthcode.settings import Settings
from identity_helpers import PASSWORD, totp_code, totp_secret

NEW_PASSWORD = "a fresh passphrase"


def _propose_add(username: str, role: str = "official") -> tuple[int, str, str]:
    return run(
        "official",
        "propose-add",
        "--as",
        "root",
        "--username",
        username,
        "--role",
        role,
        "--jurisdiction",
        "330100",
        "--reason",
        "new contact tracer",
        "--password-stdin",
        "--json",
        stdin=NEW_PASSWORD + "\n",
    )


def test_the_console_creates_accounts_only_until_two_admins_exist(cli_env: Settings) -> None:
    """`official add` works for the first two admins, then refuses naming propose-add."""
    add_official("wang", "official")
    add_official("root", "admin")
    add_official("ops", "admin")
    code, _, err = run(
        "official",
        "add",
        "--username",
        "sock",
        "--role",
        "admin",
        "--jurisdiction",
        "330100",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code != 0 and "propose-add" in err
    assert [o["username"] for o in ok("official", "list", "--as", "ops")] == ["ops", "root", "wang"]


def test_two_admins_create_an_official_at_the_console(
    cli_env: Settings, client: TestClient, clock: FixedClock
) -> None:
    """Proposed by one admin, approved by another who gets the TOTP URI; the hash never shows."""
    add_official("root", "admin")
    add_official("ops", "admin")
    code, out, err = _propose_add("qian")
    assert code == 0, err
    proposal = json.loads(out)
    assert "argon2" not in out and NEW_PASSWORD not in out and proposal["status"] == "pending"
    refused, _, _ = run("proposal", "approve", proposal["id"], "--as", "root")
    assert refused != 0
    approved = ok("proposal", "approve", proposal["id"], "--as", "ops")
    uri = approved["result"]["totp_uri"]
    login = {"username": "qian", "password": NEW_PASSWORD}
    code_now = totp_code(totp_secret(uri), clock.now())
    answer = client.post("/api/v1/officials/login", json={**login, "totp": code_now})
    assert answer.status_code == 200, answer.text
    listed = ok("official", "proposals", "--as", "ops")
    assert [p["status"] for p in listed] == ["approved"]
    assert "totp_uri" not in listed[0]["result"] and "argon2" not in json.dumps(listed)


def test_reset_totp_hands_the_new_uri_to_the_approver_once(cli_env: Settings) -> None:
    """The approving admin sees the new TOTP URI in the answer; the proposal keeps none."""
    add_official("qian", "official")  # the console's last account: two admins follow
    add_official("root", "admin")
    add_official("ops", "admin")
    proposed = ok("official", "propose-reset-totp", "qian", "--as", "root", "--reason", "lost")
    code, out, err = run("proposal", "approve", proposed["id"], "--as", "ops")
    assert code == 0, err
    assert "TOTP for qian (shown once): otpauth://" in out
    (listed,) = ok("official", "proposals", "--as", "root", "--status", "approved")
    assert listed["result"] == {"username": "qian", "official_id": listed["payload"]["official_id"]}


def test_no_admin_proposes_a_change_of_their_own_account(cli_env: Settings) -> None:
    """propose-change and propose-disable of one's own account are refused."""
    add_official("root", "admin")
    add_official("ops", "admin")
    for command in (
        ("propose-change", "root", "--role", "official"),
        ("propose-disable", "root"),
    ):
        code, _, err = run("official", *command, "--as", "root", "--reason", "x")
        assert code != 0 and "own account" in err
    changed = ok(
        "official", "propose-change", "ops", "--as", "root", "--district", "330106", "--reason", "x"
    )
    assert changed["payload"]["district"] == "330106" and changed["payload"]["role"] == "admin"
