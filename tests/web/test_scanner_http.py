"""The scanner's server side without a browser: the page and its service worker, manifest and
enrolment answers; `healthcode demo guard` making the demo checkpoint and registering a key."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from cli_helpers import ok
from healthcode.container import Container
from healthcode.credentials.cose import kid_of, public_key_bytes
from healthcode.presence.venues import register_device, revoke_device
from healthcode.settings import Settings
from identity_helpers import add_test_official, principal
from presence_helpers import city


def _key() -> tuple[bytes, str]:
    raw = public_key_bytes(Ed25519PrivateKey.generate().public_key())
    return raw, base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_scanner_page_worker_and_manifest(client: TestClient) -> None:
    """The page is Chinese by default with the strict policy; the worker may take /checkpoint."""
    page = client.get("/checkpoint")
    assert page.status_code == 200
    assert '<html lang="zh">' in page.text and "查验扫码" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "Checkpoint scanner" in client.get("/checkpoint?lang=en").text
    worker = client.get("/checkpoint/sw.js")
    assert worker.headers["service-worker-allowed"] == "/checkpoint"
    manifest = client.get("/checkpoint/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert manifest.json()["scope"] == "/checkpoint"
    assert client.get("/static/vendor/jsqr/LICENSE").status_code == 200


def test_enrolment_answers_only_for_a_registered_key(
    client: TestClient, container: Container
) -> None:
    """Unregistered: registered false; registered: venue, colours, root key; revoked: not active."""
    venues = city(container)
    raw, _text = _key()
    device_id = kid_of(raw).hex()
    assert client.get(f"/checkpoint/enrolment/{device_id}").json() == {
        "device": device_id,
        "registered": False,
    }
    assert client.get("/checkpoint/enrolment/not-an-id").status_code == 404
    register_device(
        uow=container.uow(),
        clock=container.clock,
        venue_id=venues.hospital.id,
        public_key=raw,
        serving=container.settings.jurisdiction,
    )
    answer = client.get(f"/checkpoint/enrolment/{device_id}").json()
    assert answer["registered"] is True and answer["active"] is True
    assert answer["venue"] == venues.hospital.id
    assert answer["colours"] == ["green", "yellow"]  # a hospital lets yellow in
    assert answer["jurisdiction"] == "330100"
    assert len(base64.urlsafe_b64decode(answer["root_public_key"] + "=")) == 32
    add_test_official(container, "admin1", "admin")
    revoke_device(
        uow=container.uow(),
        clock=container.clock,
        principal=principal(container, "admin1"),
        device_id=device_id,
    )
    assert client.get(f"/checkpoint/enrolment/{device_id}").json()["active"] is False


def test_demo_guard_makes_its_venue_once_and_registers_a_key(cli_env: Settings) -> None:
    """`demo guard` makes one demo venue; with --public-key it registers that key, once."""
    ok("keys", "init")
    first = ok("demo", "guard")
    assert first["device"] is None and first["scanner"] == "/checkpoint"
    raw, text = _key()
    registered = ok("demo", "guard", "--public-key", text)
    assert registered["venue"] == first["venue"]
    assert (registered["device"], registered["created"]) == (kid_of(raw).hex(), True)
    again = ok("demo", "guard", "--public-key", text)
    assert (again["device"], again["created"]) == (registered["device"], False)
