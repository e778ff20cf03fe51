"""Stricter codes end to end: long names get a code, the published list bounds a code's life,
and the library, `healthcode verify` and POST /api/v1/verify refuse a bad code alike."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import cbor2
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from factories import register
from healthcode.cli.main import app
from healthcode.codes.issuing import issue_code
from healthcode.codes.keys import init_keys, list_keys, trust_list_document
from healthcode.codes.model import Publication
from healthcode.container import Container
from healthcode.credentials.claims import CLAIM_HEALTHCODE, encode_claims
from healthcode.credentials.cose import sign1
from healthcode.credentials.errors import Reason
from healthcode.credentials.signer import issue, load_public_key
from healthcode.credentials.token import encode_token
from healthcode.credentials.trustfile import dump_trust_list, load_trust_list
from healthcode.credentials.trustlist import TrustedKey, TrustList, sign_trust_list
from healthcode.credentials.truststore import TrustStore
from healthcode.credentials.verify import Acceptance, Decision, verify
from healthcode.identity.registration import register_person
from healthcode.kernel.clock import FixedClock
from healthcode.settings import Settings

GREEN_ONLY = Acceptance.green_only({"330100"})
LONG_NAME = "Pablo Diego José Francisco de Paula Juan Nepomuceno Picasso"  # 59 characters


def _keys(container: Container) -> None:
    init_keys(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
    )


def _person(container: Container, name: str = "张三丰") -> str:
    return register_person(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction="330100",
        person=register(name=name),
    ).subject


def _document(container: Container, lifetime: timedelta | None = None) -> str:
    return trust_list_document(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction="330100",
        code_lifetime=lifetime or container.settings.code_lifetime,
        clock_skew=container.settings.clock_skew,
    )


def _store(container: Container) -> TrustStore:
    [root] = [k for k in list_keys(uow=container.uow(), jurisdiction="330100") if k.role == "root"]
    store = TrustStore(roots={"330100": load_public_key(root.public_key)})
    store.accept(load_trust_list(_document(container)))
    return store


def test_a_name_longer_than_32_characters_gets_a_code(container: Container) -> None:
    """A 59-character name is masked to 32 characters and its code verifies."""
    _keys(container)
    subject = _person(container, LONG_NAME)
    issued = issue_code(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        subject=subject,
        lifetime=container.settings.code_lifetime,
    )
    assert issued.masked_name == "P" + "*" * 30 + "o"
    decision = verify(
        issued.token, trust_lists=_store(container), at=container.clock.now(), acceptance=GREEN_ONLY
    )
    assert decision.passed and decision.masked_name == issued.masked_name


def test_the_published_list_carries_the_code_lifetime(container: Container) -> None:
    """The list publishes the lifetime setting; a new setting publishes a new sequence."""
    _keys(container)
    first = json.loads(_document(container))
    assert first["format"] == "healthcode-trust-list/3"
    assert first["max_code_lifetime"] == container.settings.code_lifetime_seconds == 300
    assert json.loads(_document(container)) == first  # unchanged: the same publication
    longer = json.loads(_document(container, timedelta(minutes=10)))
    assert (longer["sequence"], longer["max_code_lifetime"]) == (first["sequence"] + 1, 600)


def test_a_list_published_before_the_maximum_is_published_anew(container: Container) -> None:
    """After an upgrade, the stored v1 publication is followed by a v3 list (next sequence)."""
    _keys(container)
    keys = list_keys(uow=container.uow(), jurisdiction="330100")
    [root] = [k for k in keys if k.role == "root"]
    signing = [k for k in keys if k.role == "signing"]
    now = container.clock.now()
    v1 = TrustList(
        "330100",
        0,
        now,
        bytes.fromhex(root.kid),
        tuple(TrustedKey(k.public_key, k.valid_from, k.valid_until) for k in signing),
    )
    document = dump_trust_list(
        sign_trust_list(v1, root_private_key=container.private_keys.load(root.kid))
    )
    # what the service stored before: the v1 file and the hash of its content as it was then
    content = repr([(root.kid, k.kid, k.valid_from, k.valid_until) for k in signing])
    with container.uow() as uow:
        uow.keys.add_publication(
            Publication(
                sequence=0,
                jurisdiction="330100",
                content_sha256=hashlib.sha256(content.encode()).hexdigest(),
                issued_at=now,
                document=document,
            )
        )
        uow.commit()
    assert json.loads(document)["format"] == "healthcode-trust-list/1"
    republished = json.loads(_document(container))
    assert republished["sequence"] == 1
    assert republished["format"] == "healthcode-trust-list/3"
    assert republished["max_code_lifetime"] == 300


def _signing_key(container: Container) -> Any:
    signing = [
        k for k in list_keys(uow=container.uow(), jurisdiction="330100") if k.role == "signing"
    ]
    return container.private_keys.load(signing[0].kid)


def _bad_codes(container: Container, subject: str) -> dict[Reason, str]:
    """Codes correctly signed by this instance's key that must be refused, by expected reason."""
    key = _signing_key(container)
    now = container.clock.now()
    from healthcode.credentials.claims import CodeClaims
    from healthcode.kernel.facts import Colour

    claims = CodeClaims(
        issuer="330100",
        subject=subject,
        issued_at=now,
        expires_at=now + timedelta(minutes=5),
        colour=Colour.GREEN,
        masked_name="张*丰",
    )
    good = cbor2.loads(encode_claims(claims))
    _, name, sub = good[CLAIM_HEALTHCODE]
    pairs = [(1, good[1]), (4, good[4]), (6, good[6])]
    duplicate = bytes((0xA5,)) + b"".join(
        cbor2.dumps(k) + cbor2.dumps(v)
        for k, v in [*pairs, (CLAIM_HEALTHCODE, [3, name, sub]), (CLAIM_HEALTHCODE, [1, name, sub])]
    )
    long_lived = CodeClaims(
        issuer="330100",
        subject=subject,
        issued_at=now,
        expires_at=now + timedelta(days=1),
        colour=Colour.GREEN,
        masked_name="张*丰",
    )
    return {
        Reason.BAD_ENCODING: encode_token(sign1(duplicate, private_key=key)),
        Reason.LIFETIME_TOO_LONG: issue(long_lived, private_key=key),
    }


def _cli_decision(token: str, trust_list: Path, at: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["verify", token, "--trust-list", str(trust_list), "--at", at, "--json"]
    )
    assert result.exit_code == 2, result.stderr  # 2: an invalid code
    decision: dict[str, Any] = json.loads(result.stdout)
    return decision


def _said(decision: Decision) -> tuple[str, str, str]:
    return decision.outcome.value, decision.reason.value, decision.message


def test_library_cli_and_api_refuse_bad_codes_alike(
    client: TestClient, container: Container, clock: FixedClock, cli_env: Settings, tmp_path: Path
) -> None:
    """A signed duplicate-key code and an over-long code: one decision from all three verifiers."""
    _keys(container)
    subject = _person(container)
    trust_list = tmp_path / "trust-list.json"
    trust_list.write_text(_document(container))
    store = _store(container)
    for reason, token in _bad_codes(container, subject).items():
        library = _said(verify(token, trust_lists=store, at=clock.now(), acceptance=GREEN_ONLY))
        assert library[:2] == ("invalid", reason.value)
        cli = _cli_decision(token, trust_list, clock.now().isoformat())
        api = client.post("/api/v1/verify", json={"token": token}).json()
        for other in (cli, api):
            assert (other["outcome"], other["reason"], other["message"]) == library
    duplicate = _bad_codes(container, subject)[Reason.BAD_ENCODING]
    message = verify(duplicate, trust_lists=store, at=clock.now(), acceptance=GREEN_ONLY).message
    assert "duplicate map key -65537" in message
