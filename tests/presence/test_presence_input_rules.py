"""Scan batches, location pings, staff checks and check-ins under the text and time rules:
times with no UTC form and text PostgreSQL cannot store are 422s naming the field."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import base45
import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from healthcode.checkpoint.batches import parse_batch
from healthcode.container import Container
from healthcode.credentials.cose import sign1
from healthcode.kernel.errors import InvalidInput
from healthcode.presence.locations import import_pings
from healthcode.presence.place_codes import PLACE_PREFIX, parse_place_code
from identity_helpers import website_citizen
from presence_helpers import T0, WEST_LAKE, city, device, scan

JSON = {"Content-Type": "application/json"}
FAR_FUTURE, FAR_PAST = "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"


def _fields(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return [e["field"] for e in response.json()["errors"]]


def _anonymous_batch(at: str) -> dict[str, Any]:
    """A batch from a device nobody registered, with a forged signature."""
    record = scan(1, "a" * 32, T0).wire()
    return {"device": "0" * 16, "scans": [{**record, "at": at}], "signature": "A" * 86}


@pytest.mark.parametrize("at", [FAR_FUTURE, FAR_PAST, "1970-01-01T00:00:00Z"])
def test_scan_batch_times_out_of_range_are_a_422_before_the_device_is_checked(
    client: TestClient, at: str
) -> None:
    """Without login, an absurd scan time is refused naming it (not a 500, not 'no device')."""
    answer = client.post("/api/v1/scans/batches", json=_anonymous_batch(at))
    assert _fields(answer) == ["scans[0].at"]
    assert "2000-01-01" in answer.text


@pytest.mark.parametrize("outcome", [[], {}, ["pass"], 1, None])
def test_a_scan_outcome_that_is_no_text_is_a_422(client: TestClient, outcome: object) -> None:
    """A scan's outcome given as a list, object or number is refused naming it (not a 500)."""
    batch = _anonymous_batch("2026-03-01T08:00:00+08:00")
    batch["scans"][0]["outcome"] = outcome
    answer = client.post("/api/v1/scans/batches", json=batch)
    assert _fields(answer) == ["scans[0].outcome"]


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("subject", "ab\x00cd"),
        ("reason", "o\u202ek"),
        ("vehicle", "浙A\ud800"),
        ("vehicle", "e\u0301"),
    ],
)
def test_scan_text_breaking_the_rule_is_refused(field: str, bad: str) -> None:
    """A scan's NUL, bidi control, surrogate or non-NFC text is refused (signed, so not fixed)."""
    record = {**scan(1, "a" * 32, T0).wire(), field: bad}
    with pytest.raises(InvalidInput) as refused:
        parse_batch({"device": "0" * 16, "scans": [record], "signature": "A" * 86})
    assert [p.field for p in refused.value.problems] == [f"scans[0].{field}"]


def test_a_device_batch_with_extreme_times_stores_nothing(
    client: TestClient, container: Container
) -> None:
    """A registered device's signed batch with one absurd time is refused whole."""
    venues = city(container)
    kit = device(container, venues.restaurant)
    body = kit.batch([scan(1, "a" * 32, T0)])
    body["scans"].append({**body["scans"][0], "seq": 2, "at": FAR_FUTURE})
    assert _fields(client.post("/api/v1/scans/batches", json=body)) == ["scans[1].at"]


@pytest.mark.parametrize("at", [FAR_FUTURE, FAR_PAST])
def test_own_location_pings_out_of_range_are_a_422(client: TestClient, at: str) -> None:
    """A citizen's ping at an absurd time is refused naming it."""
    _, citizen = website_citizen(client)
    pings = [{"lat": WEST_LAKE[0], "lon": WEST_LAKE[1], "at": at}]
    answer = client.post("/api/v1/me/locations", json={"pings": pings}, headers=citizen)
    assert _fields(answer) == ["pings.0.at"]


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"at": FAR_FUTURE}, "line 1.at"),
        ({"subject": "x\x00y"}, "line 1.subject"),
    ],
)
def test_imported_pings_out_of_range_or_with_nul_are_refused(
    container: Container, item: dict[str, Any], field: str
) -> None:
    """The ping import use case (CLI and API) refuses absurd times and NUL subjects."""
    ping = {"subject": "a" * 32, "lat": 30.25, "lon": 120.15, "at": T0.isoformat(), "source": "gps"}
    with pytest.raises(InvalidInput) as refused:
        import_pings(
            uow=container.uow(),
            clock=container.clock,
            jurisdiction="330100",
            items=[("line 1", {**ping, **item})],
        )
    assert [p.field.replace(": ", ".") for p in refused.value.problems] == [field]


@pytest.mark.parametrize(
    "body",
    [
        {"device": "d\x00", "subjects": ["a"], "at": T0.isoformat(), "signature": "A" * 86},
        {"device": "d", "subjects": ["a\x00"], "at": T0.isoformat(), "signature": "A" * 86},
        {"device": "d", "subjects": ["a"], "at": FAR_FUTURE, "signature": "A" * 86},
    ],
)
def test_staff_checks_with_nul_or_absurd_times_are_a_422(
    client: TestClient, body: dict[str, Any]
) -> None:
    """A gate's anonymous staff check with NUL or a time with no UTC form is a 422."""
    assert _fields(client.post("/api/v1/staff-checks", content=json.dumps(body), headers=JSON))


def test_check_in_and_ride_times_out_of_range_are_a_422(client: TestClient) -> None:
    """A check-in or ride at an absurd time is refused naming the field."""
    _, citizen = website_citizen(client)
    body = {"place_code": "HZP1:X", "lat": WEST_LAKE[0], "lon": WEST_LAKE[1], "at": FAR_PAST}
    assert _fields(client.post("/api/v1/me/checkins", json=body, headers=citizen)) == ["at"]
    ride = {
        "line": "l",
        "vehicle": "浙A\u202e1",
        "boarded_at": (T0 - timedelta(hours=1)).isoformat(),
        "alighted_at": FAR_FUTURE,
    }
    answer = client.post("/api/v1/me/rides", content=json.dumps(ride), headers={**JSON, **citizen})
    assert sorted(_fields(answer)) == ["alighted_at", "vehicle"]


@pytest.mark.parametrize(
    "claims",
    [
        {1: "330100", 2: "a" * 32, 6: 2**62},
        {1: "330100", 2: "a\x00b", 6: 1_772_000_000},
        {1: "330\u202e100", 2: "a" * 32, 6: 1_772_000_000},
    ],
)
def test_place_codes_with_absurd_times_or_bad_text_are_refused(claims: dict[int, object]) -> None:
    """A place code issued in year 10^11, or naming a venue with NUL, is refused, not a 500."""
    message = sign1(cbor2.dumps(claims, canonical=True), private_key=Ed25519PrivateKey.generate())
    text = PLACE_PREFIX + base45.b45encode(message).decode("ascii")
    with pytest.raises(InvalidInput) as refused:
        parse_place_code(text)
    assert [p.field for p in refused.value.problems] == ["place_code"]
