"""Trust lists: what the root signs, the JSON file form, and strict parsing of that file."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import cbor2
import pytest
from codekit import T0, Kit

from healthcode.credentials import (
    TrustedKey,
    TrustList,
    TrustStore,
    dump_trust_list,
    kid_of,
    load_trust_list,
)
from healthcode.credentials.trustlist import SIGNING_CONTEXT_V2 as SIGNING_CONTEXT
from healthcode.kernel.errors import InvalidInput


def test_file_round_trip_is_exact(kit: Kit) -> None:
    """Dumping a signed list and loading it back gives the same list and signature."""
    signed = kit.hangzhou.trust_list(sequence=3)
    text = dump_trust_list(signed)
    assert load_trust_list(text) == signed
    assert load_trust_list(text.encode()) == signed
    assert dump_trust_list(load_trust_list(text)) == text


def test_file_is_readable_json(kit: Kit) -> None:
    """The file names its format, jurisdiction and keys in plain JSON a person can read."""
    document = json.loads(dump_trust_list(kit.hangzhou.trust_list(sequence=3)))
    assert document["format"] == "healthcode-trust-list/2"
    assert document["max_code_lifetime"] == 300
    assert document["jurisdiction"] == "330100"
    assert document["sequence"] == 3
    assert document["issued_at"] == "2026-03-01T01:00:00Z"
    assert document["root_kid"] == kid_of(kit.hangzhou.root.public_key()).hex()
    assert [k["kid"] for k in document["keys"]] == [
        kid_of(kit.hangzhou.old_key.public_key()).hex(),
        kid_of(kit.hangzhou.key.public_key()).hex(),
    ]
    assert document["keys"][1]["valid_until"] == "2026-03-31T01:00:00Z"


def test_signed_bytes_are_documented_cbor_array(kit: Kit) -> None:
    """The root signs a context-tagged CBOR array of the list's fields, times in epoch seconds."""
    tl = kit.hangzhou.trust_list().trust_list
    decoded = cbor2.loads(tl.to_be_signed())
    key = tl.keys[1]
    assert decoded[:5] == [
        SIGNING_CONTEXT,
        "330100",
        1,
        int(T0.timestamp()),
        kid_of(kit.hangzhou.root.public_key()),
    ]
    assert decoded[5] == 300  # the longest a code lives, seconds
    assert decoded[6][1] == [
        key.kid,
        key.public_key,
        int(T0.timestamp()),
        int((T0 + timedelta(days=30)).timestamp()),
    ]


def test_json_whitespace_and_field_order_do_not_matter(kit: Kit) -> None:
    """The signature covers the list, not the JSON text: a reformatted file is still accepted."""
    signed = kit.hangzhou.trust_list(sequence=2)
    document = json.loads(dump_trust_list(signed))
    compact = json.dumps(dict(reversed(document.items())), separators=(",", ":"))
    store = TrustStore(roots={"330100": kit.hangzhou.root.public_key()})
    assert store.accept_json(compact) == signed.trust_list


def test_edited_file_fails_signature_check(kit: Kit) -> None:
    """Changing any signed field in the file makes the pinned root refuse it."""
    document = json.loads(dump_trust_list(kit.hangzhou.trust_list(sequence=2)))
    document["keys"][0]["valid_until"] = "2026-12-31T00:00:00Z"
    store = TrustStore(roots={"330100": kit.hangzhou.root.public_key()})
    with pytest.raises(InvalidInput) as caught:
        store.accept_json(json.dumps(document))
    assert caught.value.problems[0].field == "trust_list.signature"


def _edited(kit: Kit, edit: Any) -> str:
    document = json.loads(dump_trust_list(kit.hangzhou.trust_list()))
    edit(document)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("edit", "field", "fragment"),
    [
        (lambda d: d.update(format="x/2"), "trust_list.format", "must be"),
        (lambda d: d.update(extra=1), "trust_list.extra", "not a known field"),
        (lambda d: d.pop("sequence"), "trust_list.sequence", "is required"),
        (lambda d: d.update(sequence="1"), "trust_list.sequence", "must be an integer"),
        (lambda d: d.update(sequence=-1), "trust_list.sequence", "non-negative"),
        (lambda d: d.update(jurisdiction="Hangzhou"), "trust_list.jurisdiction", "GB/T 2260"),
        (lambda d: d.update(issued_at="2026-03-01 01:00:00"), "trust_list.issued_at", "look like"),
        (lambda d: d.update(issued_at="2026-3-1T1:00:00Z"), "trust_list.issued_at", "look like"),
        (lambda d: d.update(root_kid="AB" * 8), "trust_list.root_kid", "lowercase hex"),
        (lambda d: d.update(signature=d["signature"] + "=="), "trust_list.signature", "unpadded"),
        (lambda d: d.update(keys={}), "trust_list.keys", "must be a list"),
        (lambda d: d["keys"][0].update(kid="00" * 8), "trust_list.keys[0].kid", "not the kid"),
        (
            lambda d: d["keys"][1].update(public_key="A" * 43),
            "trust_list.keys[1].kid",
            "not the kid",
        ),
        (
            lambda d: d["keys"][1].update(public_key="A" * 42),
            "trust_list.keys[1].public_key",
            "32 bytes",
        ),
        (
            lambda d: d["keys"][0].update(valid_until=d["keys"][0]["valid_from"]),
            "trust_list.keys[0].valid_until",
            "after valid_from",
        ),
        (lambda d: d["keys"].append(d["keys"][0]), "trust_list.keys", "same key twice"),
        (lambda d: d["keys"].append(7), "trust_list.keys[2]", "JSON object"),
    ],
)
def test_malformed_file_names_the_field(kit: Kit, edit: Any, field: str, fragment: str) -> None:
    """Each malformed file is refused with the offending field's dotted path and the rule."""
    with pytest.raises(InvalidInput) as caught:
        load_trust_list(_edited(kit, edit))
    problem = caught.value.problems[0]
    assert problem.field == field
    assert fragment in problem.message


@pytest.mark.parametrize(
    "text", ["", "[]", "{", '{"format": 1, "format": 2}', "null", "\x00", "1" * 5000]
)
def test_garbage_file_is_invalid_input(text: str) -> None:
    """Anything that is not a trust-list JSON object is refused as invalid input."""
    with pytest.raises(InvalidInput):
        load_trust_list(text)


def test_trusted_key_refuses_naive_times(kit: Kit) -> None:
    """Key validity times must be timezone-aware."""
    with pytest.raises(InvalidInput, match="timezone-aware"):
        TrustedKey.of(
            kit.hangzhou.key.public_key(),
            valid_from=T0.replace(tzinfo=None),
            valid_until=T0 + timedelta(days=1),
        )


def test_trust_list_refuses_short_root_kid(kit: Kit) -> None:
    """The root kid is exactly eight bytes."""
    with pytest.raises(InvalidInput, match="root_kid"):
        TrustList("330100", 1, T0, b"\x01" * 7, ())


def test_store_refuses_bad_jurisdiction_code(kit: Kit) -> None:
    """A store cannot pin a root for something that is not a GB/T 2260 code."""
    with pytest.raises(InvalidInput, match="GB/T 2260"):
        TrustStore(roots={"hangzhou": kit.hangzhou.root.public_key()})
