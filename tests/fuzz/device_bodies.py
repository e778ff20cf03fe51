"""What the fuzzer sends besides Schemathesis' examples: values known to trouble a service
(planted into any body), and what a checkpoint device sends (signed scan batches, staff
checks and status lookups with fuzzed fields, signed with the device's real key whenever they
can be signed)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from healthcode.checkpoint.batches import ScanRecord, b64, to_be_signed
from healthcode.checkpoint.lookups import sign_lookup
from healthcode.presence.employers import sign_staff_check
from presence_helpers import DeviceKit

# text a careless client or an attacker sends: a lone surrogate, NUL, a control character, a
# right-to-left override, times at the ends of the calendar, huge numbers, a long string
HOSTILE_IN_PATHS: tuple[Any, ...] = (
    "nul\x00byte",
    "bell\x07",
    "\u202egnp.exe",
    "line\nbreak",
    "x" * 5000,
)
HOSTILE: tuple[Any, ...] = (
    *HOSTILE_IN_PATHS,
    "\ud800",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    1e300,
    -(2**70),
    [],
    {},
)


def leaves(document: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key) of each value inside a JSON document, nested ones included."""
    if isinstance(document, dict):
        for key, value in document.items():
            yield document, key
            yield from leaves(value)
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield document, index
            yield from leaves(value)


# anything a JSON string may hold, lone surrogates and NUL included
TEXT = st.text(st.characters(codec=None), max_size=70)
OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)


def times(now: datetime) -> st.SearchStrategy[datetime]:
    """Mostly near ``now``, sometimes anywhere a datetime can be, in any offset."""
    near = st.timedeltas(min_value=timedelta(hours=-30), max_value=timedelta(minutes=10)).map(
        lambda d: now + d
    )
    anywhere = st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=OFFSETS
    )
    now_ish = st.timedeltas(min_value=timedelta(minutes=-4), max_value=timedelta(minutes=4))
    return st.one_of(
        now_ish.map(lambda d: now + d),
        near,
        near.flatmap(lambda t: OFFSETS.map(t.astimezone)),
        anywhere,
    )


def scans(subjects: Sequence[str], now: datetime) -> st.SearchStrategy[ScanRecord]:
    """A scan as a device records it, or one with any of its fields fuzzed."""
    recorded = st.builds(
        ScanRecord,
        seq=st.integers(min_value=0, max_value=2**40),
        subject=st.sampled_from(list(subjects)),
        at=st.timedeltas(min_value=timedelta(hours=-10), max_value=timedelta(0)).map(
            lambda d: now + d
        ),
        outcome=st.sampled_from(["pass", "stop", "invalid"]),
        reason=st.just("ok"),
        issuer=st.just("330100"),
        temperature=st.none()
        | st.floats(min_value=35.0, max_value=42.0).map(lambda t: round(t, 1)),
        vehicle=st.none(),
    )
    fuzzed = st.builds(
        ScanRecord,
        seq=st.integers(min_value=-1, max_value=2**64),
        subject=st.sampled_from(list(subjects)) | TEXT,
        at=times(now),
        outcome=st.sampled_from(["pass", "stop", "invalid"]) | TEXT,
        reason=st.just("ok") | TEXT,
        issuer=st.just("330100") | TEXT,
        temperature=st.none() | st.floats(allow_nan=False, allow_infinity=False),  # JSON's
        vehicle=st.none() | TEXT,
    )
    return recorded | fuzzed


def _random_signature() -> str:
    return b64(os.urandom(64))


def _spelled(at: datetime) -> str:
    return at.isoformat()


@st.composite
def scan_batches(draw: st.DrawFn, kit: DeviceKit, subjects: Sequence[str], now: datetime) -> Any:
    """A batch from the device: each scan recorded or fuzzed; signed over what it says."""
    batch = draw(st.lists(scans(subjects, now), min_size=1, max_size=4))
    try:
        signature = b64(kit.key.sign(to_be_signed(kit.id, batch)))
    except (ValueError, OverflowError):  # text CBOR cannot encode (a lone surrogate)
        signature = _random_signature()
    wire = [{**s._asdict(), "at": _spelled(s.at)} for s in batch]
    return {"device": kit.id, "scans": wire, "signature": signature}


@st.composite
def staff_checks(draw: st.DrawFn, kit: DeviceKit, subjects: Sequence[str], now: datetime) -> Any:
    """A gate's staff check: subjects real or fuzzed, asked at a time near now or anywhere."""
    asked = draw(st.lists(st.sampled_from(list(subjects)) | TEXT, min_size=0, max_size=4))
    at = draw(times(now))
    try:
        return sign_staff_check(kit.id, asked, at=at, private_key=kit.key)
    except (OverflowError, ValueError):  # no UTC spelling, or text CBOR cannot encode
        return {"device": kit.id, "at": _spelled(at), "subjects": asked, "signature": ""}


@st.composite
def status_lookups(draw: st.DrawFn, kit: DeviceKit, codes: Sequence[str], now: datetime) -> Any:
    """A device's signed verify request: a real code or any text, asked at a time near now or
    anywhere, signed by the device (or, now and then, with a random signature)."""
    token = draw(st.sampled_from(list(codes)) | TEXT)
    at = draw(times(now))
    colours = draw(st.lists(st.sampled_from(["green", "yellow", "red"]), max_size=3))
    try:
        signed = sign_lookup(kit.id, token, at=at, private_key=kit.key)
    except (OverflowError, ValueError):  # no UTC spelling, or text CBOR cannot encode
        signed = {"id": kit.id, "at": _spelled(at), "signature": _random_signature()}
    if draw(st.integers(0, 4)) == 0:
        signed["signature"] = _random_signature()
    body = {"token": token, "colours": colours, "device": signed}
    kind = draw(st.none() | st.sampled_from(["office", "hospital", "bus_route"]))
    return body if kind is None else {**body, "kind": kind}
