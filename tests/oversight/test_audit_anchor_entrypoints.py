"""Audit anchors at the edges: the public `GET /api/v1/audit/anchor`, `healthcode audit anchor`
and `healthcode audit verify --anchor` catching the truncation of issue 17."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from cli_helpers import add_official, ok, run
from healthcode.codes.keys import init_keys, root_key
from healthcode.container import Container
from healthcode.credentials.anchor import load_anchor
from healthcode.credentials.signer import load_public_key
from healthcode.settings import Settings

AT = "2026-03-01T09:00:00+08:00"


def test_the_public_anchor_is_signed_by_the_root_key(
    client: TestClient, container: Container
) -> None:
    """Anyone may fetch the current anchor, signed by the root (503 before `keys init`)."""
    assert client.get("/api/v1/audit/anchor").status_code == 503
    init_keys(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )
    response = client.get("/api/v1/audit/anchor")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    signed = load_anchor(response.text)
    assert (signed.anchor.jurisdiction, signed.anchor.seq, signed.anchor.head) == (
        "330100",
        0,
        "0" * 64,
    )
    with container.uow() as uow:
        root = root_key(uow, jurisdiction="330100", now=container.clock.now())
    assert signed.signed_by(load_public_key(root.public_key))


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


def _cut_back(settings: Settings, head: tuple[int, str, str]) -> None:
    """Delete the records after ``head`` and put back that older head row, as a database
    administrator could."""
    engine = create_engine(settings.database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE access_audit DISABLE TRIGGER access_audit_append_only"))
        else:
            conn.execute(text("DROP TRIGGER access_audit_no_delete"))
        conn.execute(text("DELETE FROM access_audit WHERE seq > :seq"), {"seq": head[0]})
        conn.execute(
            text("UPDATE audit_head SET seq = :s, hash = :h, mac = :m"),
            {"s": head[0], "h": head[1], "m": head[2]},
        )
    engine.dispose()


def _head(settings: Settings) -> tuple[int, str, str]:
    engine = create_engine(settings.database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        row = conn.execute(text("SELECT seq, hash, mac FROM audit_head")).one()
    engine.dispose()
    return int(row[0]), str(row[1]), str(row[2])


def test_audit_verify_with_an_anchor_names_the_truncation(
    cli_env: Settings, tmp_path: Path
) -> None:
    """After a cut back to an older head, `audit verify --anchor` exits 1 naming the cut."""
    ok("keys", "init", "--at", AT)
    add_official("wang", "official")
    subject = _subject()
    ok("person", "show", subject, "--as", "wang")
    older = _head(cli_env)
    early, late = tmp_path / "early.json", tmp_path / "late.json"
    assert ok("audit", "anchor", "--out", str(early), "--at", AT) == {"written": str(early)}
    for _ in range(2):
        ok("person", "show", subject, "--as", "wang")
    ok("audit", "anchor", "--out", str(late), "--at", AT)
    passed = ok("audit", "verify", "--anchor", str(early), "--anchor", str(late))
    assert isinstance(passed, dict) and passed["intact"] and passed["anchors"] == 2
    _cut_back(cli_env, older)
    assert ok("audit", "verify")["intact"]  # the chain alone cannot see it
    code, out, _ = run("audit", "verify", "--anchor", str(early), "--anchor", str(late), "--json")
    assert code == 1
    found = json.loads(out)
    assert found["intact"] is False and found["kind"] == "truncated"
    assert found["problem"] == f"the log ends at seq 1 but anchor {late} says seq 3 existed"
    assert [p["anchor"] for p in found["anchor_problems"]] == [str(late)]


def test_audit_verify_refuses_an_unreadable_anchor(cli_env: Settings, tmp_path: Path) -> None:
    """An anchor file that is missing is refused naming it, exit 1."""
    code, _, err = run("audit", "verify", "--anchor", str(tmp_path / "nope.json"), "--json")
    assert code == 1
    assert "cannot read" in json.loads(err)["problems"][0]["message"]
