"""`healthcode verify` and `healthcode scan` with many cities' trust lists in one run: each
list under its own pinned root, folders of lists, ages and staleness, acceptance by policy.
Offline: no database, only files in a temporary folder."""

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
from healthcode.credentials.cose import public_key_bytes
from healthcode.policy.bundled import bundled_policy_path

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=1)
AT = (NOW + timedelta(minutes=1)).isoformat()
HZ, BJ = "330100", "110000"


def _key(seed: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.encode()).digest())


def _b64(key: Ed25519PrivateKey) -> str:
    raw = public_key_bytes(key.public_key())
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


ROOTS = {code: _key(f"{code} root") for code in (HZ, BJ)}
SIGNERS = {code: _key(f"{code} signing") for code in (HZ, BJ)}


def _write_list(
    folder: Path,
    code: str,
    *,
    sequence: int = 1,
    issued_at: datetime = T0,
    root: Ed25519PrivateKey | None = None,
) -> Path:
    signer = root or ROOTS[code]
    tl = build_trust_list(
        jurisdiction=code,
        sequence=sequence,
        issued_at=issued_at,
        keys=[
            TrustedKey.of(
                SIGNERS[code].public_key(), valid_from=T0, valid_until=T0 + timedelta(days=30)
            )
        ],
        root_public_key=signer.public_key(),
        max_code_lifetime=timedelta(minutes=5),
        expires_at=issued_at + timedelta(days=7),
    )
    path = folder / f"{code}-{sequence}.json"
    path.write_text(dump_trust_list(sign_trust_list(tl, root_private_key=signer)))
    return path


def _token(code: str, colour: Colour = Colour.GREEN) -> str:
    claims = CodeClaims(
        issuer=code,
        subject="5f0c3a9e8d7b6a5f4e3d2c1b0a998877",
        issued_at=NOW,
        expires_at=NOW + timedelta(minutes=5),
        colour=colour,
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


def _pins() -> list[str]:
    return [arg for code in (HZ, BJ) for arg in ("--root-key", f"{code}={_b64(ROOTS[code])}")]


@pytest.fixture
def lists(tmp_path: Path) -> Path:
    """A folder with Hangzhou's and Beijing's lists."""
    folder = tmp_path / "lists"
    folder.mkdir()
    _write_list(folder, HZ)
    _write_list(folder, BJ)
    return folder


def test_a_hangzhou_and_a_beijing_code_verify_in_one_run(lists: Path) -> None:
    """One folder, two pinned roots: both cities' codes pass; both lists are reported."""
    for code in (HZ, BJ):
        exit_code, out = _run(
            "verify", _token(code), "--trust-list", str(lists), *_pins(), "--at", AT
        )
        assert exit_code == 0, out
        assert out["issuer"] == code
        held = {row["jurisdiction"]: row for row in out["trust_lists"]}
        assert set(held) == {HZ, BJ}
        assert held[code]["age_seconds"] == 3660 and held[code]["stale"] is False


def test_files_given_one_by_one_work_as_a_folder(lists: Path) -> None:
    """--trust-list repeated with files is the same as the folder."""
    files = [arg for p in sorted(lists.iterdir()) for arg in ("--trust-list", str(p))]
    exit_code, out = _run("verify", _token(BJ), *files, *_pins(), "--at", AT)
    assert exit_code == 0, out


def test_a_wrong_root_is_named_by_its_own_jurisdiction(lists: Path) -> None:
    """Beijing pinned with Hangzhou's root: the error names Beijing and its file."""
    pins = ["--root-key", f"{HZ}={_b64(ROOTS[HZ])}", "--root-key", f"{BJ}={_b64(ROOTS[HZ])}"]
    exit_code, out = _run("verify", _token(HZ), "--trust-list", str(lists), *pins, "--at", AT)
    assert exit_code == 65
    text = json.dumps(out)
    assert "no trust list of 110000" in text and "110000-1.json" in text
    assert "of 330100" not in text


def test_the_single_bare_root_key_still_works(tmp_path: Path) -> None:
    """The documented one-list form: --root-key KEY pins the one list given."""
    path = _write_list(tmp_path, HZ)
    exit_code, out = _run(
        "verify", _token(HZ), "--trust-list", str(path), "--root-key", _b64(ROOTS[HZ]), "--at", AT
    )
    assert exit_code == 0, out


def test_a_bad_root_key_option_is_named(lists: Path) -> None:
    """A malformed JURISDICTION=KEY names the jurisdiction."""
    exit_code, out = _run(
        "verify", _token(HZ), "--trust-list", str(lists), "--root-key", f"{BJ}=short", "--at", AT
    )
    assert exit_code == 65 and "110000" in json.dumps(out)


def test_an_old_list_is_flagged_stale_and_the_decision_degraded(lists: Path) -> None:
    """Past the policy's limit (a day by default) the list is stale, the decision degraded."""
    late = (T0 + timedelta(days=2)).isoformat()
    token = _token(HZ)
    exit_code, out = _run("verify", token, "--trust-list", str(lists), *_pins(), "--at", late)
    assert exit_code == 2  # the code itself expired long ago
    assert all(row["stale"] for row in out["trust_lists"])
    assert out["degraded"] is True


def test_a_refused_list_is_reported_and_the_last_good_kept(lists: Path) -> None:
    """A future-dated newer list is refused, named, and the older list still decides."""
    _write_list(lists, HZ, sequence=2, issued_at=NOW + timedelta(days=1))
    exit_code, out = _run("verify", _token(HZ), "--trust-list", str(lists), *_pins(), "--at", AT)
    assert exit_code == 0, out
    [hz] = [row for row in out["trust_lists"] if row["jurisdiction"] == HZ]
    assert hz["sequence"] == 1
    assert "in the future" in hz["refused"][0] and "330100-2.json" in hz["refused"][0]


def test_a_rotation_in_the_folder_is_followed(lists: Path) -> None:
    """The old root's list announcing a new root, then the new root's list: both held in turn."""
    new_root = _key("330100 new root")
    signer = ROOTS[HZ]
    tl = build_trust_list(
        jurisdiction=HZ,
        sequence=2,
        issued_at=T0,
        keys=[
            TrustedKey.of(
                SIGNERS[HZ].public_key(), valid_from=T0, valid_until=T0 + timedelta(days=30)
            )
        ],
        root_public_key=signer.public_key(),
        max_code_lifetime=timedelta(minutes=5),
        expires_at=T0 + timedelta(days=7),
        next_root=new_root.public_key(),
    )
    (lists / "330100-2.json").write_text(
        dump_trust_list(sign_trust_list(tl, root_private_key=signer))
    )
    _write_list(lists, HZ, sequence=3, root=new_root)
    exit_code, out = _run("verify", _token(HZ), "--trust-list", str(lists), *_pins(), "--at", AT)
    assert exit_code == 0, out
    assert [r["sequence"] for r in out["trust_lists"] if r["jurisdiction"] == HZ] == [3]


@pytest.mark.parametrize(("kind", "exit_code"), [("office", 0), ("hospital", 1)])
def test_verify_as_a_beijing_checkpoint_applies_the_acceptance(
    lists: Path, kind: str, exit_code: int
) -> None:
    """Beijing's policy: a Hangzhou green passes at an office, not at a hospital."""
    code, out = _run(
        "verify",
        _token(HZ),
        "--trust-list",
        str(lists),
        *_pins(),
        "--kind",
        kind,
        "--policy",
        str(bundled_policy_path(BJ)),
        "--at",
        AT,
    )
    assert code == exit_code, out
    assert "acceptance" in out["message"]


def _device(tmp_path: Path, kind: str) -> Path:
    colours = {Colour.GREEN, Colour.YELLOW} if kind == "hospital" else {Colour.GREEN}
    config = DeviceConfig(
        device="03396219237f75a6",
        venue="V1",
        kind=kind,
        jurisdiction=BJ,
        colours=frozenset(colours),
        private_key=_key("device"),
        root_keys={BJ: public_key_bytes(ROOTS[BJ].public_key())},
    )
    path = tmp_path / f"{kind}.json"
    path.write_text(device_file_text(config))
    return path


@pytest.mark.parametrize(("kind", "hz_exit"), [("office", 0), ("hospital", 1)])
def test_a_beijing_scan_decides_visitors_by_its_policy(
    lists: Path, tmp_path: Path, kind: str, hz_exit: int
) -> None:
    """The scan checkpoint: Beijing's own green passes; Hangzhou's by the bundled policy."""
    device = _device(tmp_path, kind)
    common = ["--venue", "V1", "--device-key", str(device), "--trust-list", str(lists)]
    common += ["--root-key", f"{HZ}={_b64(ROOTS[HZ])}", "--queue", str(tmp_path / "q.jsonl")]
    code, out = _run("scan", _token(BJ), *common, "--at", AT)
    assert code == 0, out
    assert {row["jurisdiction"] for row in out["trust_lists"]} == {HZ, BJ}
    code, out = _run("scan", _token(HZ), *common, "--at", AT)
    assert code == hz_exit, out
    assert "acceptance" in out["message"]
