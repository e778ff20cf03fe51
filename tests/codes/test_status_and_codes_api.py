"""A citizen's status, code and history over HTTP; the published trust list; online verify."""

from __future__ import annotations

from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from healthcode.checkpoint.lookups import sign_lookup
from healthcode.codes.keys import init_keys, list_keys
from healthcode.container import Container
from healthcode.credentials.qr import QrImage, qr_svg
from healthcode.credentials.signer import load_public_key
from healthcode.credentials.trustfile import load_trust_list
from healthcode.credentials.truststore import TrustStore
from healthcode.credentials.verify import Acceptance, verify
from healthcode.kernel.clock import FixedClock
from healthcode.presence.venues import VenueDetails, add_organisation, add_venue
from identity_helpers import website_citizen
from presence_helpers import WEST_LAKE, DeviceKit, device


def _keys(container: Container) -> None:
    init_keys(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )


def _fever(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/me/declarations/health",
        json={"temperature": 38.6, "symptoms": ["fever"]},
        headers=headers,
    )
    assert response.status_code == 201, response.text


def test_status_explains_itself_in_the_language_asked(client: TestClient) -> None:
    """After a fever declaration the status is yellow with its rule, in zh or en."""
    _, headers = website_citizen(client)
    assert client.get("/api/v1/me/status", headers=headers).json()["colour"] == "green"
    _fever(client, headers)
    english = client.get(
        "/api/v1/me/status", headers={**headers, "Accept-Language": "en-GB,en;q=0.9"}
    ).json()
    assert english["colour"] == "yellow" and english["language"] == "en"
    assert english["reasons"][0]["rule"] == "fever"
    assert english["reasons"][0]["text"] == "Fever declared"
    chinese = client.get(
        "/api/v1/me/status", headers={**headers, "Accept-Language": "zh-CN"}
    ).json()
    assert chinese["reasons"][0]["text"] == "申报发热"


def test_status_history_lists_each_change(client: TestClient, clock: FixedClock) -> None:
    """The history shows registration green, then yellow caused by the declaration."""
    _, headers = website_citizen(client)
    clock.advance(timedelta(minutes=1))
    _fever(client, headers)
    history = client.get(
        "/api/v1/me/status/history", headers={**headers, "Accept-Language": "en"}
    ).json()
    assert [(h["from"], h["to"]) for h in history] == [(None, "green"), ("green", "yellow")]
    assert history[1]["cause"].startswith("health_declaration ")
    assert history[1]["reasons"][0]["text"] == "Fever declared"


def test_status_needs_a_login(client: TestClient) -> None:
    """Without credentials the status and code are 401 problem+json."""
    for path in ("/api/v1/me/status", "/api/v1/me/status/history", "/api/v1/me/code"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")


def test_code_round_trip_through_the_published_trust_list(
    client: TestClient, container: Container
) -> None:
    """The code from /me/code verifies offline against /.well-known/…/trust-list."""
    _keys(container)
    _, headers = website_citizen(client)
    code = client.get("/api/v1/me/code", headers=headers)
    assert code.status_code == 200, code.text
    body = code.json()
    assert body["colour"] == "green" and body["masked_name"] == "张*丰"
    assert body["qr_version"] <= 8
    document = client.get("/.well-known/healthcode/trust-list")
    assert document.status_code == 200
    [root] = [k for k in list_keys(uow=container.uow(), jurisdiction="330100") if k.role == "root"]
    store = TrustStore(roots={"330100": load_public_key(root.public_key)})
    store.accept(load_trust_list(document.text))
    decision = verify(
        body["token"],
        trust_lists=store,
        at=container.clock.now(),
        acceptance=Acceptance.green_only({"330100"}),
    )
    assert decision.passed and decision.masked_name == "张*丰"


def test_code_leaves_the_qr_to_the_client(client: TestClient, container: Container) -> None:
    """By default /me/code answers the token and its QR version, and builds no SVG."""
    _keys(container)
    _, headers = website_citizen(client)
    body = client.get("/api/v1/me/code", headers=headers).json()
    assert body["qr_svg"] is None
    assert body["qr_version"] == QrImage(body["token"]).version
    assert container.qr_svgs.built == 0


def test_code_svg_on_request_is_built_once_per_token(
    client: TestClient, container: Container
) -> None:
    """?qr=svg adds the token's SVG; the same token asked again is served from the cache."""
    _keys(container)
    _, headers = website_citizen(client)
    first = client.get("/api/v1/me/code?qr=svg", headers=headers).json()
    again = client.get("/api/v1/me/code?qr=svg", headers=headers).json()
    assert first["token"] == again["token"]  # a fixed clock: same claims, same signature
    assert first["qr_svg"] == again["qr_svg"] == qr_svg(first["token"])
    assert container.qr_svgs.built == 1


def test_code_as_an_svg_image(client: TestClient, container: Container) -> None:
    """Accept: image/svg+xml answers the SVG image alone, never stored by caches."""
    _keys(container)
    _, headers = website_citizen(client)
    image = client.get("/api/v1/me/code", headers={**headers, "Accept": "image/svg+xml"})
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/svg+xml")
    assert image.headers["cache-control"] == "no-store"
    token = client.get("/api/v1/me/code", headers=headers).json()["token"]
    assert image.text == qr_svg(token)
    both = client.get(
        "/api/v1/me/code", headers={**headers, "Accept": "image/svg+xml, application/json"}
    )
    assert both.headers["content-type"].startswith("application/json")


def test_code_refuses_an_unknown_qr_rendering(client: TestClient, container: Container) -> None:
    """?qr= names a rendering the server offers (svg), else 422 naming qr."""
    _keys(container)
    _, headers = website_citizen(client)
    response = client.get("/api/v1/me/code?qr=png", headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].endswith("qr")


def test_code_without_keys_is_refused_clearly(client: TestClient) -> None:
    """Before `keys init`, asking for a code says what the operator must do."""
    _, headers = website_citizen(client)
    response = client.get("/api/v1/me/code", headers=headers)
    assert response.status_code == 503
    assert "keys init" in response.json()["detail"]


def _device(container: Container) -> DeviceKit:
    """A checkpoint device registered at a restaurant (keys made already)."""
    org = add_organisation(
        uow=container.uow(), clock=container.clock, jurisdiction="330100", name="西湖餐饮有限公司"
    )
    venue = add_venue(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
        details=VenueDetails(
            organisation_id=org.id,
            name_zh="楼外楼",
            name_en="Louwailou",
            kind="restaurant",
            lat=WEST_LAKE[0],
            lon=WEST_LAKE[1],
        ),
    )
    return device(container, venue)


def _signed_body(
    kit: DeviceKit, token: str, clock: FixedClock, **extra: object
) -> dict[str, object]:
    signature = sign_lookup(kit.id, token, at=clock.now(), private_key=kit.key)
    return {"token": token, "device": signature, **extra}


def _reads(container: Container, subject: str) -> list[tuple[str, str, str]]:
    with container.uow() as uow:
        return [(r.actor, r.role, r.purpose) for r in uow.audit.for_subject(subject)]


def test_online_verify_says_when_the_status_changed(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """A device-signed /verify reports the change to yellow; each lookup is in the access log."""
    _keys(container)
    kit = _device(container)
    subject, headers = website_citizen(client)
    token = client.get("/api/v1/me/code", headers=headers).json()["token"]
    first = client.post("/api/v1/verify", json=_signed_body(kit, token, clock)).json()
    assert (first["outcome"], first["status_changed"]) == ("pass", False)
    _fever(client, headers)
    clock.advance(timedelta(seconds=1))  # each lookup signed anew: one signed request, one answer
    second = client.post("/api/v1/verify", json=_signed_body(kit, token, clock)).json()
    assert second["outcome"] == "pass"
    assert (second["status_changed"], second["current_colour"]) == (True, "yellow")
    clock.advance(timedelta(seconds=1))
    hospital = client.post(
        "/api/v1/verify", json=_signed_body(kit, token, clock, colours=["green", "yellow"])
    ).json()
    assert hospital["outcome"] == "pass"
    lookup = (f"device:{kit.id}", "checkpoint", "checkpoint status lookup")
    assert _reads(container, subject) == [lookup] * 3
    own_log = client.get("/api/v1/me/access-log", headers=headers)
    assert own_log.status_code == 200, own_log.text
    assert [r["actor"] for r in own_log.json()] == [f"device:{kit.id}"] * 3


def test_anonymous_verify_answers_the_offline_decision_only(
    client: TestClient, container: Container
) -> None:
    """Anonymous /verify of a valid code: the offline decision, no status lookup, no record."""
    _keys(container)
    subject, headers = website_citizen(client)
    token = client.get("/api/v1/me/code", headers=headers).json()["token"]
    _fever(client, headers)
    answer = client.post("/api/v1/verify", json={"token": token}).json()
    assert (answer["outcome"], answer["colour"], answer["masked_name"]) == (
        "pass",
        "green",
        "张*丰",
    )
    assert (answer["current_colour"], answer["status_changed"]) == (None, None)
    assert _reads(container, subject) == []


def test_expired_code_leaks_nothing_about_the_holder(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """An expired code answers "expired" and nothing about the holder, signed or not."""
    _keys(container)
    kit = _device(container)
    subject, headers = website_citizen(client)
    token = client.get("/api/v1/me/code", headers=headers).json()["token"]
    clock.advance(timedelta(hours=3))
    _fever(client, headers)
    for body in ({"token": token}, _signed_body(kit, token, clock)):
        answer = client.post("/api/v1/verify", json=body)
        assert answer.status_code == 200, answer.text
        shown = answer.json()
        assert (shown["outcome"], shown["reason"]) == ("invalid", "expired")
        person = ("colour", "masked_name", "current_colour", "status_changed")
        assert {k: shown[k] for k in person} == dict.fromkeys(person)
    assert _reads(container, subject) == []


def test_bad_device_signature_is_refused(
    client: TestClient, container: Container, clock: FixedClock
) -> None:
    """A forged, unknown-device or replayed device signature is a 422 naming the field."""
    _keys(container)
    kit = _device(container)
    subject, headers = website_citizen(client)
    token = client.get("/api/v1/me/code", headers=headers).json()["token"]
    stolen = _signed_body(kit, token, clock)
    forged = _signed_body(DeviceKit(kit.id, Ed25519PrivateKey.generate()), token, clock)
    unknown = _signed_body(DeviceKit("0123456789abcdef", kit.key), token, clock)
    missing = {"token": token, "device": {"id": kit.id, "at": clock.now().isoformat()}}
    for body, field in ((forged, "device.signature"), (unknown, "device.id")):
        refused = client.post("/api/v1/verify", json=body)
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert client.post("/api/v1/verify", json=missing).status_code == 422
    sent = _signed_body(kit, token, clock)
    assert client.post("/api/v1/verify", json=sent).json()["status_changed"] is False
    again = client.post("/api/v1/verify", json=sent)  # the same signed request, within the window
    assert again.status_code == 422, again.text
    assert [e["field"] for e in again.json()["errors"]] == ["device.signature"]
    clock.advance(timedelta(minutes=6))
    replayed = client.post("/api/v1/verify", json=stolen)
    assert replayed.status_code == 422
    assert [e["field"] for e in replayed.json()["errors"]] == ["device.at"]
    assert len(_reads(container, subject)) == 1  # the one lookup answered


def test_online_verify_refuses_a_forged_code(client: TestClient, container: Container) -> None:
    """A tampered token is invalid with the exact reason; a bad colour name is a 422."""
    _keys(container)
    _, headers = website_citizen(client)
    token = client.get("/api/v1/me/code", headers=headers).json()["token"]
    forged = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    decision = client.post("/api/v1/verify", json={"token": forged}).json()
    assert decision["outcome"] == "invalid"
    assert decision["reason"] in {"bad_signature", "bad_encoding"}
    assert (
        client.post("/api/v1/verify", json={"token": token, "colours": ["blue"]}).status_code == 422
    )
