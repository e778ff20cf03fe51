"""The offline checkpoint at its edges: run from any folder with only its files, scans on a
vehicle that make same-bus contacts once uploaded, and a code scanned twice flagged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli_helpers import add_official, login_kit
from healthcode.checkpoint.batches import parse_batch, sign_batch, to_be_signed
from healthcode.checkpoint.device import load_device_file, read_queue
from healthcode.cli.main import app
from healthcode.container import Container
from healthcode.settings import Settings
from identity_helpers import add_test_official
from tracing_helpers import resident

SCAN_AT = "2026-03-01T09:10:00+08:00"
AGAIN = "2026-03-01T09:13:00+08:00"  # within the code's five minutes
UPLOAD_AT = "2026-03-01T09:30:00+08:00"
REPORT_AT = "2026-03-01T10:00:00+08:00"
ENV = ("DATABASE_URL", "DATA_KEY_FILE", "JURISDICTION", "KEYS_DIR")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _ok(*args: str) -> Any:
    code, out, err = _run(*args, "--json")
    assert code == 0, err or out
    return json.loads(out)


def _checkpoint(tmp_path: Path, kind: str) -> dict[str, Any]:
    """Keys, a venue of ``kind`` with a device file, and the trust list, in ``tmp_path``; and
    an official logged in to issue codes (``reader``)."""
    add_official("reader", "official")
    _ok("keys", "init", "--at", "2026-02-01T09:00:00+08:00")
    org = _ok("org", "add", "杭州公交", "--at", SCAN_AT)["id"]
    added = _ok(
        "venue",
        "add",
        "--org",
        org,
        "--name-zh",
        "7路",
        "--name-en",
        "Route 7",
        "--kind",
        kind,
        "--lat",
        "30.259",
        "--lon",
        "120.149",
        "--at",
        SCAN_AT,
    )
    venue = added["id"]
    device_file = tmp_path / "device.json"
    _ok("device", "add", "--venue", venue, "--key-out", str(device_file))
    trust = tmp_path / "trust.json"
    _ok("trust-list", "export", "--out", str(trust), "--at", SCAN_AT)
    return {
        "venue": venue,
        "place_code": added["place_code"],
        "device": device_file,
        "trust": trust,
    }


def _scan(point: dict[str, Any], token: str, *extra: str) -> tuple[int, Any, str]:
    code, out, err = _run(
        "scan",
        token,
        "--venue",
        point["venue"],
        "--device-key",
        str(point["device"]),
        "--trust-list",
        str(point["trust"]),
        *extra,
        "--json",
    )
    return code, json.loads(out) if out else None, err


def _elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty folder outside the project, as the working directory, with no settings."""
    for name in ENV:
        monkeypatch.delenv(f"HEALTHCODE_{name}", raising=False)
    folder = tmp_path / "gate"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_scan_from_any_folder_needs_only_its_device_file_and_trust_list(
    cli_env: Settings, container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`scan` elsewhere needs no database, writes only its queue; unreachable upload is 69."""
    point = _checkpoint(tmp_path, "bus_route")
    token = _ok("code", resident(container, 1), "--as", "reader", "--at", SCAN_AT)["token"]
    folder = _elsewhere(monkeypatch, tmp_path)
    code, answer, err = _scan(point, token, "--at", SCAN_AT)
    assert code == 0, err
    assert answer["outcome"] == "pass" and answer["queued"] is True
    assert _files(folder) == {"scans.jsonl", "scans.jsonl.seq", "scans.jsonl.seen"}
    queued = (folder / "scans.jsonl").read_text()
    unreachable = "http://127.0.0.1:9"  # the discard port: nothing listens
    code, _, err = _run(
        "scan", "upload", "--device-key", str(point["device"]), "--server", unreachable, "--json"
    )
    assert code == 69 and "cannot reach" in json.loads(err)["error"]
    assert (folder / "scans.jsonl").read_text() == queued  # kept for the next try
    assert _files(folder) == {"scans.jsonl", "scans.jsonl.seq", "scans.jsonl.seen"}


def test_verify_from_any_folder_never_creates_a_database(
    cli_env: Settings, container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`verify` elsewhere passes with a pinned root, else names --root-key; creates nothing."""
    point = _checkpoint(tmp_path, "restaurant")
    root = next(k for k in _ok("keys", "list") if k["role"] == "root")["public_key"]
    token = _ok("code", resident(container, 1), "--as", "reader", "--at", SCAN_AT)["token"]
    folder = _elsewhere(monkeypatch, tmp_path)
    trust = ["--trust-list", str(point["trust"]), "--at", SCAN_AT, "--json"]
    code, out, err = _run("verify", token, *trust, "--root-key", root)
    assert code == 0 and json.loads(out)["outcome"] == "pass", err
    code, out, err = _run("verify", token, *trust)
    assert code == 65 and "--root-key" in json.loads(err)["error"]
    assert _files(folder) == set()


def test_other_commands_elsewhere_say_there_is_no_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database command run where there is none exits 69 and creates nothing."""
    folder = _elsewhere(monkeypatch, tmp_path)
    code, _, err = _run("status", "someone", "--as", "wang", "--json")
    assert code == 69 and "healthcode init" in json.loads(err)["error"]
    assert _files(folder) == set()


def test_bus_scans_uploaded_make_same_vehicle_contacts(
    cli_env: Settings, container: Container, tmp_path: Path
) -> None:
    """Uploaded scans on one bus make transit contacts; another vehicle's rider is not one."""
    point = _checkpoint(tmp_path, "bus_route")
    case, rider, other = (resident(container, i) for i in (1, 2, 3))
    queue = ["--queue", str(tmp_path / "scans.jsonl")]
    for subject, vehicle, at in (
        (case, "浙A12345", SCAN_AT),
        (rider, "浙A12345", AGAIN),
        (other, "浙A99999", SCAN_AT),
    ):
        token = _ok("code", subject, "--as", "reader", "--at", at)["token"]
        code, answer, err = _scan(point, token, "--vehicle", vehicle, "--at", at, *queue)
        assert code == 0, err
        assert (answer["vehicle"], answer["venue"]) == (vehicle, point["venue"])
    device = ["--device-key", str(point["device"])]
    uploaded = _ok("scan", "upload", *device, *queue, "--at", UPLOAD_AT)
    assert (uploaded["scans"], uploaded["stored"]) == (3, 3)
    login_kit(
        add_test_official(container, "wang", "official"),
        add_test_official(container, "li", "supervisor"),
    )
    sampled = ["--sampled-at", "2026-03-01T09:40:00+08:00", "--asymptomatic"]
    reported = _ok(
        "case", "report", case, "--as", "wang", *sampled, "--test-ref", "L-7", "--at", REPORT_AT
    )
    case_id = reported["payload"]["case_id"]
    assert _ok("trace", "preview", case_id, "--as", "li", "--at", REPORT_AT)["by_rule"] == {
        "transit": 1
    }
    _ok("case", "confirm", case_id, "--as", "li", "--at", REPORT_AT)
    _ok("worker", "--once", "--at", REPORT_AT)
    assert _ok("status", rider, "--as", "reader", "--at", REPORT_AT)["colour"] == "red"
    assert _ok("status", other, "--as", "reader", "--at", REPORT_AT)["colour"] == "green"


def test_vehicle_is_refused_at_a_venue_without_vehicles(
    cli_env: Settings, container: Container, tmp_path: Path
) -> None:
    """`scan --vehicle` at a restaurant's device is refused (exit 65), naming the vehicle."""
    point = _checkpoint(tmp_path, "restaurant")
    token = _ok("code", resident(container, 1), "--as", "reader", "--at", SCAN_AT)["token"]
    queue = ["--queue", str(tmp_path / "scans.jsonl")]
    code, _, err = _scan(point, token, "--vehicle", "浙A12345", "--at", SCAN_AT, *queue)
    assert code == 65 and json.loads(err)["problems"][0]["field"] == "vehicle"
    assert not (tmp_path / "scans.jsonl").exists()


def test_a_code_scanned_twice_here_is_flagged_not_refused(
    cli_env: Settings, container: Container, tmp_path: Path
) -> None:
    """A code scanned twice here in its lifetime passes, flagged and queued as repeat_of."""
    point = _checkpoint(tmp_path, "restaurant")
    subject = resident(container, 1)
    token = _ok("code", subject, "--as", "reader", "--at", SCAN_AT)["token"]
    queue = tmp_path / "scans.jsonl"
    code, first, _ = _scan(point, token, "--at", SCAN_AT, "--queue", str(queue))
    assert code == 0 and first["repeat"] is None
    code, again, _ = _scan(point, token, "--at", AGAIN, "--queue", str(queue))
    assert code == 0 and again["outcome"] == "pass"
    assert again["repeat"] == "already scanned here at 09:10"
    assert again["repeat_of"] == first["seq"]
    code, out, _ = _run(
        "scan",
        token,
        "--venue",
        point["venue"],
        "--device-key",
        str(point["device"]),
        "--trust-list",
        str(point["trust"]),
        "--at",
        AGAIN,
        "--queue",
        str(queue),
    )
    assert code == 0 and "already scanned here at 09:10" in out  # said to the person, too
    fresh = _ok("code", subject, "--as", "reader", "--at", AGAIN)["token"]
    code, newer, _ = _scan(point, fresh, "--at", AGAIN, "--queue", str(queue))
    assert code == 0 and newer["repeat"] is None
    queued = read_queue(queue)
    assert [s.repeat_of for s in queued] == [None, first["seq"], first["seq"], None]
    uploaded = _ok(
        "scan", "upload", "--device-key", str(point["device"]), "--queue", str(queue), "--at", AGAIN
    )
    assert uploaded["stored"] == 4  # a re-entry is a presence too


def test_repeat_of_is_signed_and_batches_without_it_sign_as_before(tmp_path: Path) -> None:
    """`repeat_of` is part of the signed scan; a scan without it signs eight items as before."""
    from datetime import UTC, datetime

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from healthcode.checkpoint.batches import ScanRecord

    at = datetime(2026, 3, 1, 1, tzinfo=UTC)
    plain = ScanRecord(1, "s" * 32, at, "pass", "ok", "330100")
    repeat = plain._replace(seq=2, repeat_of=1)
    assert len(plain.signed_items()) == 8 and repeat.signed_items()[-1] == 1
    body = sign_batch("0" * 16, [plain, repeat], private_key=Ed25519PrivateKey.generate())
    assert "repeat_of" not in body["scans"][0] and body["scans"][1]["repeat_of"] == 1
    parsed = parse_batch(body)
    assert parsed.scans == (plain, repeat)
    assert to_be_signed("0" * 16, parsed.scans) == to_be_signed("0" * 16, [plain, repeat])
    body["scans"][1]["repeat_of"] = -1
    with pytest.raises(Exception, match="repeat_of"):
        parse_batch(body)


def test_device_file_pins_its_jurisdictions_root(cli_env: Settings, tmp_path: Path) -> None:
    """`device add --key-out` writes the jurisdiction's root key into the device file."""
    point = _checkpoint(tmp_path, "restaurant")
    root = next(k for k in _ok("keys", "list") if k["role"] == "root")["public_key"]
    config = load_device_file(point["device"].read_text(encoding="utf-8"))
    assert set(config.root_keys) == {"330100"}
    assert json.loads(point["device"].read_text())["root_keys"]["330100"] == root


def test_a_stop_exits_1_at_a_checkpoint_and_at_a_check_in(
    cli_env: Settings, container: Container, tmp_path: Path
) -> None:
    """A stop exits 1 from scan, verify and checkin; an invalid code or place code exits 2."""
    point = _checkpoint(tmp_path, "restaurant")
    subject = resident(container, 1)
    _ok(
        "declare", "health", subject, "--temperature", "38.5", "--symptom", "fever", "--at", SCAN_AT
    )
    token = _ok("code", subject, "--as", "reader", "--at", SCAN_AT)["token"]
    queue = ["--queue", str(tmp_path / "scans.jsonl")]
    code, answer, _ = _scan(point, token, "--at", SCAN_AT, *queue)
    assert code == 1 and answer["outcome"] == "stop"
    trust = ["--trust-list", str(point["trust"]), "--at", SCAN_AT]
    code, out, _ = _run("verify", token, *trust, "--json")
    assert code == 1 and json.loads(out)["outcome"] == "stop"
    place = ["--code", point["place_code"], "--lat", "30.259", "--lon", "120.149"]
    code, out, err = _run("checkin", subject, *place, "--at", SCAN_AT, "--json")
    assert code == 1, err
    assert json.loads(out)["outcome"] == "stop"
    forged = point["place_code"][:-4] + (
        "AAAA" if not point["place_code"].endswith("AAAA") else "BBBB"
    )
    forged_place = ["--code", forged, "--lat", "30.259", "--lon", "120.149"]
    code, _, err = _run("checkin", subject, *forged_place, "--at", SCAN_AT, "--json")
    assert code == 2 and json.loads(err)["problems"][0]["field"] == "place_code"
    code, answer, _ = _scan(point, token[:-4] + "AAAA", "--at", SCAN_AT, *queue)
    assert code == 2 and answer["outcome"] == "invalid"


def test_a_damaged_sequence_file_is_refused_by_name(
    cli_env: Settings, container: Container, tmp_path: Path
) -> None:
    """A damaged `.seq` beside the queue is a named refusal (65), not an internal error (70)."""
    point = _checkpoint(tmp_path, "restaurant")
    token = _ok("code", resident(container, 1), "--as", "reader", "--at", SCAN_AT)["token"]
    queue = tmp_path / "q.jsonl"
    (tmp_path / "q.jsonl.seq").write_text("17\x00garbage")
    code, _, err = _scan(point, token, "--queue", str(queue), "--at", SCAN_AT)
    assert code == 65, err
    assert "q.jsonl.seq" in err and not queue.exists()
    (tmp_path / "q.jsonl.seq").write_text("17")
    code, answer, err = _scan(point, token, "--queue", str(queue), "--at", SCAN_AT)
    assert code == 0, err
    assert answer["seq"] > 17 and (tmp_path / "q.jsonl.seq").read_text() == str(answer["seq"])
