"""The CLI for venues, posters, checkpoint devices (offline scan + upload), check-ins,
rides, location files and boundaries — as an operator and a checkpoint use it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from cli_helpers import add_official
from healthcode.cli.main import app
from healthcode.settings import Settings

AT = "2026-03-01T09:00:00+08:00"  # the clock is fixed with --at in every command
LATER = "2026-03-01T09:02:00+08:00"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _json(*args: str) -> Any:
    code, out, err = _run(*args, "--json")
    assert code == 0, err or out
    return json.loads(out)


def _city(tmp_path: Path) -> dict[str, Any]:
    _json("keys", "init", "--at", "2026-02-01T09:00:00+08:00")
    subject = _json(
        "register",
        "--name",
        "张三丰",
        "--id-number",
        "11010519491231002X",
        "--phone",
        "13812341234",
        "--address",
        "杭州市西湖区文三路1号",
        "--consent-location",
        "--at",
        "2026-02-20T09:00:00+08:00",
    )["subject"]
    org = _json("org", "add", "西湖餐饮", "--at", AT)["id"]
    venue = _json(
        "venue",
        "add",
        "--org",
        org,
        "--name-zh",
        "楼外楼",
        "--name-en",
        "Louwailou",
        "--kind",
        "restaurant",
        "--lat",
        "30.259",
        "--lon",
        "120.149",
        "--at",
        AT,
    )
    add_official("reader", "official")  # who reads people at the console (logged in)
    return {"subject": subject, "org": org, "venue": venue}


def test_checkpoint_decides_offline_queues_and_uploads_once(
    cli_env: Settings, tmp_path: Path
) -> None:
    """An offline device stops a fever; uploading its queue turns the status yellow, only once."""
    city = _city(tmp_path)
    device_file = tmp_path / "device.json"
    device = _json("device", "add", "--venue", city["venue"]["id"], "--key-out", str(device_file))
    assert device["entry_colours"] == ["green"]
    assert device_file.stat().st_mode & 0o777 == 0o600
    trust = tmp_path / "trust.json"
    _json("trust-list", "export", "--out", str(trust), "--at", AT)
    token = _json("code", city["subject"], "--as", "reader", "--at", AT)["token"]
    queue = tmp_path / "scans.jsonl"
    common = [
        "--venue",
        city["venue"]["id"],
        "--device-key",
        str(device_file),
        "--trust-list",
        str(trust),
        "--queue",
        str(queue),
    ]
    code, out, _ = _run("scan", token, *common, "--at", AT, "--json")
    assert code == 0 and json.loads(out)["outcome"] == "pass"
    code, out, _ = _run("scan", token, *common, "--temperature", "38.1", "--at", LATER, "--json")
    assert code == 1 and "fever" in json.loads(out)["message"]
    code, out, _ = _run("scan", "HZ1:NOT-A-CODE", *common, "--at", LATER, "--json")
    assert code == 2 and json.loads(out)["queued"] is False
    assert len(queue.read_text().splitlines()) == 2
    upload = ["scan", "upload", "--device-key", str(device_file), "--queue", str(queue)]
    uploaded = _json(*upload, "--at", LATER)
    assert (uploaded["scans"], uploaded["stored"]) == (2, 2)
    assert queue.read_text() == ""
    status = _json("status", city["subject"], "--as", "reader", "--at", LATER)
    assert status["colour"] == "yellow"
    sent = queue.with_name("scans.jsonl.sent")
    queue.write_text(sent.read_text())
    again = _json(*upload, "--at", LATER)
    assert (again["stored"], again["duplicates"]) == (0, 2)


def test_posters_check_in_and_flagged_review(cli_env: Settings, tmp_path: Path) -> None:
    """`venue poster` writes SVG and PDF; a far check-in is flagged until confirmed."""
    city = _city(tmp_path)
    for suffix in ("svg", "pdf"):
        out = tmp_path / f"poster.{suffix}"
        _json("venue", "poster", city["venue"]["id"], "--out", str(out))
        assert out.stat().st_size > 1000
    code = city["venue"]["place_code"]
    here = _json("checkin", city["subject"], "--code", code, "--lat", "30.259", "--lon", "120.149")
    assert (here["state"], here["outcome"]) == ("accepted", "pass")
    far = _json("checkin", city["subject"], "--code", code, "--lat", "30.29", "--lon", "120.21")
    assert far["state"] == "flagged"
    add_official("official-1", "official")
    [waiting] = _json("checkin", "flagged", "--as", "official-1")
    assert waiting["id"] == far["id"]
    assert _json("checkin", "confirm", far["id"], "--as", "official-1")["state"] == "confirmed"


def test_location_file_stays_itinerary_and_refusals(cli_env: Settings, tmp_path: Path) -> None:
    """A telecom CSV becomes stays and an arrival; a bad line refuses the file naming it."""
    city = _city(tmp_path)
    rows = ["subject,lat,lon,at,source"]
    for hour in range(6):
        rows.append(f"{city['subject']},31.2304,121.4737,2026-02-27T{8 + hour:02d}:00:00+08:00,")
    for hour in range(5):
        rows.append(f"{city['subject']},30.259,120.149,2026-02-28T{8 + hour:02d}:00:00+08:00,")
    telecom = tmp_path / "telecom.csv"
    telecom.write_text("\n".join(rows) + "\n")
    receipt = _json("locations", "import", str(telecom), "--source", "telecom", "--at", AT)
    assert (receipt["stays"], len(receipt["arrivals"])) == (2, 1)
    itinerary = _json("itinerary", city["subject"], "--as", "reader", "--at", AT)
    assert [e["jurisdiction"] for e in itinerary] == ["330100", "310000"]
    rows.append(f"{city['subject']},123.0,120.1,2026-02-28T13:00:00+08:00,telecom")
    telecom.write_text("\n".join(rows) + "\n")
    code, _, err = _run("locations", "import", str(telecom), "--at", AT, "--json")
    assert code == 1
    assert {"field": "line 13: lat", "message": "must be between -90 and 90 degrees"} in json.loads(
        err
    )["problems"]
    jsonl = tmp_path / "gps.jsonl"
    jsonl.write_text('{"subject": "x", "lat": 30, "lon": 120}\nnot json\n')
    code, _, err = _run("locations", "import", str(jsonl), "--at", AT, "--json")
    assert code == 1 and "line 2: is not JSON" in err


def test_geo_import_and_rides(cli_env: Settings, tmp_path: Path) -> None:
    """`geo import` names a bad feature; `ride` records a trip on a bus line."""
    city = _city(tmp_path)
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature"}]}')
    code, _, err = _run("geo", "import", str(bad), "--json")
    assert code == 1 and "features[0].properties.code" in err
    assert {b["code"] for b in _json("geo", "list")} == {"110000", "310000", "330100"}
    bus = _json(
        "venue",
        "add",
        "--org",
        city["org"],
        "--name-zh",
        "7路",
        "--name-en",
        "Bus 7",
        "--kind",
        "bus_route",
        "--lat",
        "30.26",
        "--lon",
        "120.15",
        "--at",
        AT,
    )
    ride = _json(
        "ride",
        city["subject"],
        "--line",
        bus["id"],
        "--vehicle",
        "浙A1234",
        "--boarded",
        "2026-03-01T08:10:00+08:00",
        "--alighted",
        "2026-03-01T08:40:00+08:00",
        "--at",
        AT,
    )
    assert ride["place_id"] == f"{bus['id']}:浙A1234"


def test_venue_add_in_another_city_exits_1_naming_the_distance(
    cli_env: Settings, tmp_path: Path
) -> None:
    """`venue add` at Tiananmen in the Hangzhou instance exits 1 with the distance."""
    city = _city(tmp_path)
    code, _, err = _run(
        "venue",
        "add",
        "--org",
        city["org"],
        "--name-zh",
        "天安门",
        "--name-en",
        "Tiananmen",
        "--kind",
        "other",
        "--lat",
        "39.9087",
        "--lon",
        "116.3975",
        "--at",
        AT,
        "--json",
    )
    assert code == 1
    [problem] = json.loads(err)["problems"]
    assert problem["field"] == "lat" and "is 1,124 km from Hangzhou" in problem["message"]
    # and a phone there cannot check in at a Hangzhou venue either
    code, _, err = _run(
        "checkin",
        city["subject"],
        "--code",
        city["venue"]["place_code"],
        "--lat",
        "39.9087",
        "--lon",
        "116.3975",
        "--json",
    )
    assert code == 1 and "this instance serves 330100" in err
