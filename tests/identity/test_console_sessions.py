"""Accountable console: `healthcode login` keeps an official's session in a private file, every
`--as` uses it (checked in the database like an API session), four eyes takes two logins, and
the operator's break-glass reads are recorded as such."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from cli_helpers import add_official, current_code, login, login_with, ok, run
from healthcode.container import Container
from healthcode.identity.tables import AuthSessionRow, OfficialRow
from healthcode.kernel.clock import SystemClock
from healthcode.oversight.tables import AccessAuditRow
from healthcode.settings import Settings
from identity_helpers import OfficialKit, official_headers, totp_secret

AT = "2026-03-01T09:00:00+08:00"


def _subject() -> str:
    registered = ok(
        "register",
        "--name",
        "张三丰",
        "--id-number",
        "11010519491231002X",
        "--phone",
        "13812341234",
        "--address",
        "杭州市西湖区文三路1号",
        "--at",
        AT,
    )
    return str(registered["subject"])


def _sessions(settings: Settings) -> Path:
    return Path(os.environ["HEALTHCODE_SESSIONS_DIR"])


def _propose_override(subject: str, as_: str) -> tuple[int, str, str]:
    return run(
        "override",
        "propose",
        subject,
        "--as",
        as_,
        "--colour",
        "red",
        "--reason-category",
        "quarantine_breach",
        "--reason",
        "left home quarantine",
        "--days",
        "2",
        "--json",
    )


def test_login_keeps_the_session_in_a_private_file_per_official(cli_env: Settings) -> None:
    """After `login` the official's session is a 0600 file named for them in a 0700 folder."""
    add_official("wang", "official")
    add_official("li", "supervisor")
    folder = _sessions(cli_env)
    assert sorted(p.name for p in folder.iterdir()) == ["li", "wang"]
    assert (folder.stat().st_mode & 0o777, (folder / "wang").stat().st_mode & 0o777) == (
        0o700,
        0o600,
    )
    kept = json.loads((folder / "wang").read_text())
    assert kept["username"] == "wang" and "correct horse" not in (folder / "wang").read_text()


def test_sessions_default_to_the_users_config_folder(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without HEALTHCODE_SESSIONS_DIR the file is under $XDG_CONFIG_HOME/healthcode/sessions."""
    monkeypatch.delenv("HEALTHCODE_SESSIONS_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    add_official("wang", "official")
    assert (tmp_path / "config" / "healthcode" / "sessions" / "wang").is_file()


def test_a_command_as_an_official_without_a_session_is_refused(cli_env: Settings) -> None:
    """`--as NAME` without `healthcode login` is refused, naming the login to run."""
    add_official("wang", "official", log_in=False)
    subject = _subject()
    code, _, err = run("person", "show", subject, "--as", "wang", "--json")
    assert code == 1 and "healthcode login --username wang" in json.loads(err)["error"]


def test_a_wrong_code_opens_no_session(cli_env: Settings) -> None:
    """A login with a wrong one-time code is refused and leaves no session file."""
    add_official("wang", "official", log_in=False)
    code, _, err = run(
        "login", "--username", "wang", "--stdin", "--json", stdin="correct horse battery\n000000\n"
    )
    assert code == 1 and "one-time code is wrong" in err
    assert not (_sessions(cli_env) / "wang").exists()


def test_four_eyes_at_the_console_takes_two_logins(cli_env: Settings) -> None:
    """Proposing as one and approving as another needs both sessions in one shell."""
    add_official("wang", "official")
    li = add_official("li", "supervisor", log_in=False)
    subject = _subject()
    code, out, err = _propose_override(subject, "wang")
    assert code == 0, err
    proposal = json.loads(out)["id"]
    code, _, err = run("proposal", "approve", proposal, "--as", "li", "--json")
    assert code == 1 and "no console session for 'li'" in err  # only wang's session is here
    login("li", totp_secret(li["totp_uri"]))
    approved = ok("proposal", "approve", proposal, "--as", "li")
    assert (approved["status"], approved["decided_by"]) == ("approved", "li")


def test_logout_ends_the_session_in_the_database_too(cli_env: Settings) -> None:
    """After `logout` the file is gone and a copy of it no longer works (the token is revoked)."""
    add_official("wang", "official")
    subject = _subject()
    copy = (_sessions(cli_env) / "wang").read_bytes()
    assert ok("logout", "--as", "wang") == {"username": "wang", "logged_out": True}
    assert not (_sessions(cli_env) / "wang").exists()
    fd = os.open(_sessions(cli_env) / "wang", os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, copy)
    os.close(fd)
    code, _, err = run("person", "show", subject, "--as", "wang", "--json")
    assert code == 1 and "revoked" in err


def test_a_disabled_officials_session_stops_at_once(
    cli_env: Settings, container: Container
) -> None:
    """An official disabled while logged in is refused on their next command."""
    add_official("wang", "official")
    subject = _subject()
    ok("person", "show", subject, "--as", "wang")
    with container.uow() as uow:
        uow.session.execute(
            update(OfficialRow).where(OfficialRow.username == "wang").values(active=False)
        )
        uow.commit()
    code, _, err = run("person", "show", subject, "--as", "wang", "--json")
    assert code == 1 and "disabled" in err


def test_an_expired_session_is_refused(cli_env: Settings, container: Container) -> None:
    """A session past its expiry (in real time, whatever --at says) is refused."""
    add_official("wang", "official")
    subject = _subject()
    with container.uow() as uow:
        uow.session.execute(update(AuthSessionRow).values(expires_at=SystemClock().now()))
        uow.commit()
    code, _, err = run("status", subject, "--as", "wang", "--at", AT, "--json")
    assert code == 1 and "expired" in err


def test_a_session_file_others_may_read_is_refused(cli_env: Settings) -> None:
    """A session file readable by its group is refused as a setting to fix (exit 78)."""
    add_official("wang", "official")
    subject = _subject()
    (_sessions(cli_env) / "wang").chmod(0o640)
    code, _, err = run("person", "show", subject, "--as", "wang", "--json")
    assert code == 78 and "log in again" in err


def test_a_second_login_in_the_same_step_needs_the_next_code(cli_env: Settings) -> None:
    """The code of a login is used up: a second login with it is refused, not a new session."""
    created = add_official("wang", "official", log_in=False)
    # one code for both: were each computed from the clock, a step boundary between the two
    # logins would give the second a newer, unused code
    one_time = current_code(totp_secret(created["totp_uri"]))
    code, _, err = login_with("wang", one_time)
    assert code == 0, err
    code, _, err = login_with("wang", one_time)
    assert code == 1 and "one-time code is wrong" in err


def test_reading_a_person_needs_as_or_break_glass(cli_env: Settings) -> None:
    """`status`, `code`, `itinerary` without --as or --break-glass, or with both: exit 64."""
    subject = _subject()
    for command in (("status", subject), ("code", subject), ("itinerary", subject)):
        code, _, err = run(*command, "--json")
        assert code == 64 and "--break-glass" in err, command
    code, _, _ = run("status", subject, "--as", "wang", "--break-glass", "the flood", "--json")
    assert code == 64


def test_break_glass_is_recorded_as_such(cli_env: Settings, container: Container) -> None:
    """A break-glass read is logged as role break_glass, with its reason; a short one is refused."""
    subject = _subject()
    code, _, err = run("status", subject, "--break-glass", "x", "--json")
    assert code == 1 and "break_glass" in err
    reason = "all officials locked out during the flood"
    shown = ok("status", subject, "--break-glass", reason)
    assert shown["colour"] == "green"
    with container.uow() as uow:
        rows = [
            (r.actor.split(":")[0], r.role, r.purpose, r.what)
            for r in uow.session.query(AccessAuditRow).filter_by(subject=subject)
        ]
        uses = uow.break_glass.between(SystemClock().now().replace(year=2000), SystemClock().now())
    assert rows == [("console", "break_glass", "break_glass", "status")]
    assert [(u.what, u.people, u.reason) for u in uses] == [("status", 1, reason)]


def test_an_official_reading_outside_their_scope_is_refused(cli_env: Settings) -> None:
    """`status --as` an official of another jurisdiction is refused, and nothing is shown."""
    add_official("hz", "official", jurisdiction="330100")
    subject = _subject()
    ok("status", subject, "--as", "hz")
    add_official("bj", "official", jurisdiction="330102", log_in=True)
    code, out, err = run("status", subject, "--as", "bj", "--json")
    assert code == 1 and out == "" and "outside" in err


def test_auditors_list_break_glass_reads_with_their_reasons(
    cli_env: Settings, client: TestClient, container: Container
) -> None:
    """`audit break-glass` and `GET /audit/break-glass` show the reads and reasons to auditors."""
    subject = _subject()
    reason = "all officials locked out during the flood"
    ok("status", subject, "--break-glass", reason)
    created = add_official("audit", "auditor")
    window = ("--from", "2000-01-01T00:00:00+00:00", "--to", "2099-01-01T00:00:00+00:00")
    listed = ok("audit", "break-glass", "--as", "audit", *window)
    assert [(u["what"], u["people"], u["reason"]) for u in listed] == [("status", 1, reason)]
    add_official("wang", "official")
    code, _, err = run("audit", "break-glass", "--as", "wang", *window, "--json")
    assert code == 1 and "may not" in err
    kit = OfficialKit("audit", "auditor", totp_secret(created["totp_uri"]))
    container.clock.set(SystemClock().now() + timedelta(minutes=1))  # type: ignore[attr-defined]
    headers = official_headers(client, kit, container.clock.now())
    query = {"from": window[1], "to": window[3]}
    answer = client.get("/api/v1/audit/break-glass", params=query, headers=headers)
    assert answer.status_code == 200 and answer.json()[0]["reason"] == reason
    backwards = {"from": window[3], "to": window[1]}
    refused = client.get("/api/v1/audit/break-glass", params=backwards, headers=headers)
    assert refused.status_code == 422
