"""Operators at the console: officials, channels, four eyes with --as, the access log,
webhook delivery and demo data."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, text

from cli_helpers import add_official, ok, run
from healthcode.settings import Settings
from identity_helpers import PASSWORD, public_pem

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
    assert isinstance(registered, dict)
    return str(registered["subject"])


def test_official_add_prints_the_totp_uri_once(cli_env: Settings) -> None:
    """`official add` prints the new account's TOTP URI; a second of the same name is refused."""
    created = add_official("root", "admin")
    assert created["totp_uri"].startswith("otpauth://totp/") and created["role"] == "admin"
    code, _, err = run(
        "official",
        "add",
        "--username",
        "root",
        "--role",
        "admin",
        "--jurisdiction",
        "330100",
        "--password-stdin",
        "--json",
        stdin=PASSWORD,
    )
    assert code == 1 and "username" in err


def test_channel_add_prints_its_secrets(cli_env: Settings, tmp_path: Path) -> None:
    """`channel add` registers a partner app from its public key file."""
    key_file = tmp_path / "alipay.pub"
    key_file.write_text(public_pem(Ed25519PrivateKey.generate()))
    created = ok(
        "channel",
        "add",
        "--name",
        "alipay",
        "--public-key-file",
        str(key_file),
        "--webhook-url",
        "https://alipay.example/hook",
    )
    assert isinstance(created, dict)
    assert created["client_id"].startswith("alipay-") and created["client_secret"]


def test_override_by_four_eyes_at_the_console(cli_env: Settings) -> None:
    """An official proposes with --as; they cannot approve it themselves; a supervisor can."""
    add_official("wang", "official")
    add_official("li", "supervisor")
    subject = _subject()
    proposal = ok(
        "override",
        "propose",
        subject,
        "--as",
        "wang",
        "--colour",
        "red",
        "--reason-category",
        "quarantine_breach",
        "--reason",
        "left home quarantine",
        "--days",
        "2",
    )
    assert isinstance(proposal, dict) and proposal["status"] == "pending"
    code, _, err = run("proposal", "approve", proposal["id"], "--as", "wang", "--json")
    assert code == 1 and "may not" in err
    approved = ok("proposal", "approve", proposal["id"], "--as", "li")
    assert isinstance(approved, dict)
    assert approved["status"] == "approved" and approved["result"]["colour"] == "red"
    listed = ok("proposal", "list", "--as", "li", "--status", "approved")
    assert isinstance(listed, list) and [p["id"] for p in listed] == [proposal["id"]]


def test_audit_verify_names_a_tampered_record(cli_env: Settings) -> None:
    """`audit verify` passes on an untouched log and exits 1 naming an edited record."""
    add_official("wang", "official")
    subject = _subject()
    for _ in range(2):
        ok("person", "show", subject, "--as", "wang")
    result = ok("audit", "verify")
    assert result == {
        "intact": True,
        "records": 2,
        "problem": None,
        "first_bad_record": None,
        "kind": None,
        "anchors": 0,
        "anchor_problems": [],
    }
    engine = create_engine(cli_env.database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE access_audit DISABLE TRIGGER access_audit_append_only"))
        else:
            conn.execute(text("DROP TRIGGER access_audit_no_update"))
        conn.execute(text("UPDATE access_audit SET purpose = 'curiosity' WHERE seq = 1"))
    engine.dispose()
    code, out, _ = run("audit", "verify", "--json")
    assert code == 1
    assert json.loads(out)["first_bad_record"] == 1 and json.loads(out)["kind"] == "edited"


def test_notify_deliver_once_with_nothing_due(cli_env: Settings) -> None:
    """`notify deliver --once` makes one pass and reports what it did."""
    assert ok("notify", "deliver", "--once") == {"delivered": 0, "retried": 0, "parked": 0}


def test_demo_seed_is_idempotent(cli_env: Settings, tmp_path: Path) -> None:
    """`demo seed` registers alipay, wechat, dingtalk and the website once; again, it keeps them."""
    keys = tmp_path / "keys"
    first = ok("demo", "seed", "--keys-dir", str(keys))
    assert isinstance(first, list)
    assert [c["name"] for c in first] == ["alipay", "wechat", "dingtalk", "website"]
    assert all(c["created"] and c["client_secret"] for c in first)
    assert (keys / "alipay.key").stat().st_mode & 0o777 == 0o600
    assert keys.stat().st_mode & 0o777 == 0o700  # a keys folder others may read is refused
    again = ok("demo", "seed", "--keys-dir", str(keys))
    assert isinstance(again, list)
    assert [c["created"] for c in again] == [False] * 4
    assert [c["client_id"] for c in again] == [c["client_id"] for c in first]


def test_demo_citizen_gets_a_code_and_is_made_once(cli_env: Settings) -> None:
    """`demo citizen` makes a website account with a confirmed identity once; again, keeps it."""
    first = ok("demo", "citizen")
    assert isinstance(first, dict)
    assert first["created"] is True and first["resident"] is False  # no demo city: made here
    assert first["phone"] == "13800138000"
    again = ok("demo", "citizen")
    assert isinstance(again, dict)
    assert again["created"] is False and again["resident"] is None
    assert again["subject"] == first["subject"]
    ok("keys", "init")
    add_official("wang", "official")  # reading another person's code takes a console session
    code = ok("code", first["subject"], "--as", "wang")
    assert isinstance(code, dict)
    assert code["colour"] == "green"
