"""`healthcode verify --bundle` and `healthcode scan --bundle`: a city's trust bundle instead
of many `--trust-list`s, checked under that city's root, each peer's list under the root the
bundle vouches for; offline, files only."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from healthcode.checkpoint.device import DeviceConfig, device_file_text
from healthcode.cli.main import app
from healthcode.credentials import (
    CodeClaims,
    Colour,
    TrustedKey,
    build_trust_list,
    dump_trust_list,
    issue,
    sign_trust_list,
)
from healthcode.credentials.cose import kid_of, public_key_bytes
from healthcode.federation.bundle import TrustBundle, sign_bundle
from healthcode.policy.bundled import bundled_policy_path

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)
AT = (NOW + timedelta(minutes=1)).isoformat()
HZ, BJ = "330100", "110000"


def _key(seed: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.encode()).digest())


ROOTS = {code: _key(f"{code} bundle root") for code in (HZ, BJ)}
SIGNERS = {code: _key(f"{code} bundle signing") for code in (HZ, BJ)}


def _raw(key: Ed25519PrivateKey) -> bytes:
    return public_key_bytes(key.public_key())


def _b64(key: Ed25519PrivateKey) -> str:
    return base64.urlsafe_b64encode(_raw(key)).rstrip(b"=").decode()


def _list(code: str, root: Ed25519PrivateKey | None = None) -> str:
    signer = root or ROOTS[code]
    tl = build_trust_list(
        jurisdiction=code,
        sequence=1,
        issued_at=T0,
        keys=[
            TrustedKey.of(
                SIGNERS[code].public_key(), valid_from=T0, valid_until=T0 + timedelta(days=30)
            )
        ],
        root_public_key=signer.public_key(),
        max_code_lifetime=timedelta(minutes=5),
        expires_at=T0 + timedelta(days=7),
    )
    return dump_trust_list(sign_trust_list(tl, root_private_key=signer))


def _bundle(folder: Path, *, peer_list: str | None = None) -> Path:
    """Beijing's bundle: its own list and Hangzhou's, Hangzhou's root vouched for."""
    bundle = TrustBundle(
        BJ,
        NOW,
        kid_of(ROOTS[BJ].public_key()),
        ((HZ, _raw(ROOTS[HZ])),),
        (_list(BJ), peer_list or _list(HZ)),
    )
    path = folder / "bundle.json"
    path.write_text(sign_bundle(bundle, root_private_key=ROOTS[BJ]))
    return path


def _token(code: str) -> str:
    claims = CodeClaims(
        issuer=code,
        subject="5f0c3a9e8d7b6a5f4e3d2c1b0a998877",
        issued_at=NOW,
        expires_at=NOW + timedelta(minutes=5),
        colour=Colour.GREEN,
        masked_name="张*三",
    )
    return issue(claims, private_key=SIGNERS[code])


def _run(*args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(app, [*args, "--json"])
    text = result.stdout or result.stderr
    try:
        return result.exit_code, json.loads(text)
    except ValueError:
        return result.exit_code, text


def _verify(bundle: Path, token: str, *extra: str) -> tuple[int, Any]:
    pin = f"{BJ}={_b64(ROOTS[BJ])}"
    return _run("verify", token, "--bundle", str(bundle), "--root-key", pin, "--at", AT, *extra)


@pytest.mark.parametrize(("kind", "exit_code"), [("office", 0), ("hospital", 1)])
def test_verify_reads_a_bundle_and_applies_the_acceptance(
    tmp_path: Path, kind: str, exit_code: int
) -> None:
    """Beijing's bundle: a Hangzhou green passes at an office, not at a hospital."""
    policy = str(bundled_policy_path(BJ))
    code, out = _verify(_bundle(tmp_path), _token(HZ), "--kind", kind, "--policy", policy)
    assert code == exit_code, out
    rule = "visitors-green" if kind == "office" else "hospitals-own-codes-only"
    assert f"acceptance rule {rule}" in out["message"]
    assert {row["jurisdiction"] for row in out["trust_lists"]} == {HZ, BJ}
    assert all(row["file"].endswith("bundle.json") for row in out["trust_lists"])


def test_a_bundle_under_another_root_is_refused(tmp_path: Path) -> None:
    """The bundle must be signed by the pinned root of its city: exit 65, the field named."""
    pin = f"{BJ}={_b64(ROOTS[HZ])}"
    code, out = _run(
        "verify", _token(BJ), "--bundle", str(_bundle(tmp_path)), "--root-key", pin, "--at", AT
    )
    assert code == 65, out
    assert "bundle.root_kid" in json.dumps(out)


def test_a_peer_list_under_another_root_is_left_out(tmp_path: Path) -> None:
    """Hangzhou's list signed by a stranger: refused, Beijing's own codes still verify."""
    bundle = _bundle(tmp_path, peer_list=_list(HZ, root=_key("stranger")))
    code, out = _verify(bundle, _token(BJ))
    assert code == 0, out
    assert [row["jurisdiction"] for row in out["trust_lists"]] == [BJ]
    code, out = _verify(bundle, _token(HZ))
    assert (code, out["reason"]) == (2, "unknown_kid")


def test_bundle_and_trust_list_together_are_refused(tmp_path: Path) -> None:
    """One source of lists: --bundle or --trust-list."""
    bundle = _bundle(tmp_path)
    code, out = _verify(bundle, _token(BJ), "--trust-list", str(bundle))
    assert code == 65, out
    assert "not both" in json.dumps(out)


@pytest.mark.parametrize(("kind", "hz_exit"), [("office", 0), ("hospital", 1)])
def test_a_scan_reads_the_bundle_under_its_device_files_root(
    tmp_path: Path, kind: str, hz_exit: int
) -> None:
    """`scan --bundle`: the device file pins Beijing's root, the bundle Hangzhou's."""
    config = DeviceConfig(
        device="03396219237f75a6",
        venue="V1",
        kind=kind,
        jurisdiction=BJ,
        colours=frozenset({Colour.GREEN}),
        private_key=_key("device"),
        root_keys={BJ: _raw(ROOTS[BJ])},
    )
    device = tmp_path / "device.json"
    device.write_text(device_file_text(config))
    common = ["--venue", "V1", "--device-key", str(device), "--bundle", str(_bundle(tmp_path))]
    common += ["--queue", str(tmp_path / "q.jsonl"), "--at", AT]
    code, out = _run("scan", _token(BJ), *common)
    assert code == 0, out
    code, out = _run("scan", _token(HZ), *common)
    assert code == hz_exit, out
    assert "acceptance rule" in out["message"]
