"""Administration: officials disabled and re-enabled by four eyes (their sessions end at once),
TOTP resets that end sessions, checkpoint devices revoked (later batches refused, earlier scans
kept), and channels' secrets listed and rotated; over HTTP and at the console."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cli_helpers import login_kit, ok, run
from healthcode.container import Container
from healthcode.db.facts import PresenceRow
from healthcode.kernel.errors import NotFound
from healthcode.oversight import proposals
from healthcode.settings import Settings
from identity_helpers import (
    add_test_channel,
    add_test_official,
    bearer,
    channel_token,
    official_headers,
    principal,
)
from presence_helpers import city, device, person, scan


def _decide(container: Container, kind: str, username: str) -> dict[str, Any]:
    """``kind`` about ``username`` proposed by admin root and approved by admin ops."""
    proposed = proposals.propose(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=principal(container, "root"),
        action=kind,
        payload={"username": username},
        reason="staffing",
    )
    approved = proposals.approve(
        uow=container.uow(),
        clock=container.clock,
        kinds=container.proposal_kinds,
        principal=principal(container, "ops"),
        proposal_id=proposed.id,
    )
    return dict(approved.result or {})


def _admins(container: Container) -> None:
    for username in ("root", "ops"):
        add_test_official(container, username, "admin")


def test_a_disabled_official_is_listed_and_re_enabled_without_old_sessions(
    client: TestClient, container: Container
) -> None:
    """Disabling ends the API session at once; re-enabling lets the official log in anew only."""
    _admins(container)
    wang = add_test_official(container, "wang", "official")
    now = container.clock.now()
    headers = official_headers(client, wang, now)
    assert client.get("/api/v1/proposals", headers=headers).status_code == 200
    assert _decide(container, "disable_official", "wang")["sessions_ended"] == 1
    refused = client.get("/api/v1/proposals", headers=headers)
    assert refused.status_code == 401 and "revoked" in refused.text
    admin = official_headers(client, add_test_official(container, "third", "admin"), now)
    listed = client.get("/api/v1/officials", headers=admin).json()
    assert {o["username"]: o["active"] for o in listed}["wang"] is False
    assert _decide(container, "enable_official", "wang") == {
        "username": "wang",
        "official_id": _official_id(container, "wang"),
        "active": True,
    }
    assert client.get("/api/v1/proposals", headers=headers).status_code == 401  # revoked
    later = now + timedelta(minutes=1)
    container.clock.set(later)  # type: ignore[attr-defined]
    fresh = official_headers(client, wang, later)
    assert client.get("/api/v1/proposals", headers=fresh).status_code == 200


def _official_id(container: Container, username: str) -> str:
    with container.uow() as uow:
        found = uow.officials.by_username(username)
    assert found is not None
    return found.id


def test_enabling_an_active_account_is_refused(container: Container) -> None:
    """Only a disabled account can be proposed for re-enabling."""
    _admins(container)
    add_test_official(container, "wang", "official")
    with pytest.raises(NotFound, match="wang"):
        _decide(container, "enable_official", "wang")


def test_a_totp_reset_ends_the_officials_sessions(client: TestClient, container: Container) -> None:
    """After an approved TOTP reset the official's old session no longer works."""
    _admins(container)
    wang = add_test_official(container, "wang", "official")
    headers = official_headers(client, wang, container.clock.now())
    assert _decide(container, "reset_totp", "wang")["totp_uri"].startswith("otpauth://")
    assert client.get("/api/v1/proposals", headers=headers).status_code == 401


def test_a_revoked_device_uploads_no_more_and_its_scans_stay(
    client: TestClient, container: Container
) -> None:
    """Revoking a device refuses its later batches (422) and keeps the scans it sent before."""
    _admins(container)
    town = city(container)
    gate = device(container, town.restaurant)
    subject = person(container, 1)
    now = container.clock.now()
    first = client.post("/api/v1/scans/batches", json=gate.batch([scan(1, subject, now)]))
    assert first.status_code == 200, first.text
    root = official_headers(client, add_test_official(container, "boss", "admin"), now)
    revoked = client.post(f"/api/v1/devices/{gate.id}/revoke", headers=root)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["active"] is False and revoked.json()["revoked_at"] is not None
    again = client.post(f"/api/v1/devices/{gate.id}/revoke", headers=root)
    assert again.status_code == 409
    later = client.post("/api/v1/scans/batches", json=gate.batch([scan(2, subject, now)]))
    assert later.status_code == 422 and "was revoked" in later.text
    with container.uow() as uow:
        kept = uow.session.scalar(
            select(func.count()).select_from(PresenceRow).where(PresenceRow.subject == subject)
        )
    assert kept == 1


def test_only_admins_revoke_devices(client: TestClient, container: Container) -> None:
    """An official's request to revoke a device is refused (403)."""
    town = city(container)
    gate = device(container, town.restaurant)
    wang = official_headers(client, add_test_official(container, "wang"), container.clock.now())
    assert client.post(f"/api/v1/devices/{gate.id}/revoke", headers=wang).status_code == 403


def test_rotating_a_channels_secrets_stops_the_old_ones_at_once(
    client: TestClient, container: Container
) -> None:
    """After a rotation the old secret and token are refused, the new secret works."""
    kit = add_test_channel(container, "alipay")
    old_token = channel_token(client, kit)
    now = container.clock.now()
    root = official_headers(client, add_test_official(container, "root", "admin"), now)
    assert client.get("/api/v1/channels", headers=root).json()[0]["secrets_rotated_at"] is None
    rotated = client.post(f"/api/v1/channels/{kit.id}/rotate-secrets", headers=root)
    assert rotated.status_code == 200, rotated.text
    body = rotated.json()
    assert body["tokens_revoked"] == 1 and body["client_secret"] != kit.client_secret
    assert client.get("/api/v1/channels", headers=root).json()[0]["secrets_rotated_at"]
    assert client.get("/api/v1/proposals", headers=bearer(old_token)).status_code == 401
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    stale = f"grant_type=client_credentials&client_id={kit.id}&client_secret={kit.client_secret}"
    assert client.post("/api/v1/oauth/token", content=stale, headers=form).status_code == 401
    kit.client_secret = body["client_secret"]
    assert channel_token(client, kit)
    with container.uow() as uow:
        channel = uow.channels.get(kit.id)
    assert channel is not None and channel.webhook_secret == body["webhook_secret"]


def test_administration_at_the_console(cli_env: Settings, container: Container) -> None:
    """Admins logged in list and rotate channels, revoke a device, re-enable an official."""
    login_kit(
        add_test_official(container, "root", "admin"),
        add_test_official(container, "ops", "admin"),
    )
    kit = add_test_channel(container, "alipay")
    assert [c["client_id"] for c in ok("channel", "list", "--as", "root")] == [kit.id]
    rotated = ok("channel", "rotate-secrets", kit.id, "--as", "root")
    assert rotated["client_secret"] != kit.client_secret
    town = city(container)
    gate = device(container, town.restaurant)
    assert ok("device", "revoke", gate.id, "--as", "root")["active"] is False
    add_test_official(container, "wang", "official")
    _decide(container, "disable_official", "wang")
    proposed = ok("official", "propose-enable", "wang", "--as", "root", "--reason", "back")
    code, _, err = run("proposal", "approve", proposed["id"], "--as", "root", "--json")
    assert code == 1, err
    approved = ok("proposal", "approve", proposed["id"], "--as", "ops")
    assert approved["result"]["active"] is True
    listed = ok("official", "list", "--as", "ops")
    assert {o["username"]: o["active"] for o in listed}["wang"] is True
    assert json.dumps(listed).count("totp") == 0
