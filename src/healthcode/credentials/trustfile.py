"""The trust-list file: JSON a person can read and diff, with a detached root signature.

    {"format": "healthcode-trust-list/3", "jurisdiction": "330100", "sequence": 7,
     "issued_at": "2024-03-01T00:00:00Z", "root_kid": "<16 hex digits>",
     "max_code_lifetime": 300, "expires_at": "2024-03-08T00:00:00Z",
     "next_root_public_key": "<base64url, 32 bytes; only when a new root is announced>",
     "keys": [{"kid": "<16 hex digits>", "public_key": "<base64url, 32 bytes>",
               "valid_from": "2024-03-01T00:00:00Z", "valid_until": "2024-04-01T00:00:00Z"}],
     "signature": "<base64url, 64 bytes>"}

`max_code_lifetime` (seconds) is the longest a code of the jurisdiction lives; `expires_at`
when the list stops being trusted; `next_root_public_key` the root announced to sign later
lists. Older files are still read: `healthcode-trust-list/2` has neither `expires_at` nor
`next_root_public_key` (the list never expires), `healthcode-trust-list/1` not even
`max_code_lifetime` (its list has no maximum). A list is written in the oldest format that can
say all it holds (a list without an expiry as /2).

The signature is over the deterministic CBOR of the list (`TrustList.to_be_signed`), not over
the JSON text, so whitespace and key order in the file do not matter. Parsing is strict: unknown
or repeated fields, padded base64, uppercase hex, a kid that is not its key's, or a time not in
the exact `…Z` form are refused with the field named, so one list has one meaning.
Loading checks form only; `TrustStore.accept` checks the signature against the pinned root.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from healthcode.credentials.cose import KID_BYTES
from healthcode.credentials.trustlist import SignedTrustList, TrustedKey, TrustList
from healthcode.kernel.errors import InvalidInput, Problem

TRUST_LIST_FORMAT: Final = "healthcode-trust-list/3"
TRUST_LIST_FORMAT_V2: Final = "healthcode-trust-list/2"
TRUST_LIST_FORMAT_V1: Final = "healthcode-trust-list/1"
_FORMATS: Final = {TRUST_LIST_FORMAT_V1: 1, TRUST_LIST_FORMAT_V2: 2, TRUST_LIST_FORMAT: 3}
_FIELDS_V1: Final = frozenset(
    {"format", "jurisdiction", "sequence", "issued_at", "root_kid", "keys", "signature"}
)
_FIELDS_V2: Final = _FIELDS_V1 | {"max_code_lifetime"}
_FIELDS_V3: Final = _FIELDS_V2 | {"expires_at"}
_NEXT_ROOT: Final = "next_root_public_key"
_TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"
_HEX_DIGITS: Final = frozenset("0123456789abcdef")


def dump_trust_list(signed: SignedTrustList) -> str:
    """The file form of a signed trust list: indented JSON, base64url keys and signature."""
    tl = signed.trust_list
    lifetime = tl.max_code_lifetime_seconds
    version = tl.version
    document: dict[str, object] = {
        "format": {v: f for f, v in _FORMATS.items()}[version],
        "jurisdiction": tl.jurisdiction,
        "sequence": tl.sequence,
        "issued_at": _time_text(tl.issued_at),
        "root_kid": tl.root_kid.hex(),
        **({} if lifetime is None else {"max_code_lifetime": lifetime}),
        **({} if tl.expires_at is None else {"expires_at": _time_text(tl.expires_at)}),
        **({} if tl.next_root is None else {_NEXT_ROOT: _b64(tl.next_root)}),
        "keys": [
            {
                "kid": k.kid.hex(),
                "public_key": _b64(k.public_key),
                "valid_from": _time_text(k.valid_from),
                "valid_until": _time_text(k.valid_until),
            }
            for k in tl.keys
        ],
        "signature": _b64(signed.signature),
    }
    return json.dumps(document, indent=2) + "\n"


def load_trust_list(text: str | bytes) -> SignedTrustList:
    """Parse the file form strictly (no signature check); raise `InvalidInput` if malformed."""
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput.one("trust_list", f"is not JSON ({exc.__class__.__name__})") from None
    top = _Reader("trust_list", document)
    version = _FORMATS.get(str(top.value.get("format")))
    if version is None:
        raise InvalidInput.one(
            "trust_list.format",
            f"must be {TRUST_LIST_FORMAT} (or {TRUST_LIST_FORMAT_V2}, {TRUST_LIST_FORMAT_V1})",
        )
    fields = {1: _FIELDS_V1, 2: _FIELDS_V2, 3: _FIELDS_V3}[version]
    top.only(set(fields) | ({_NEXT_ROOT} & set(top.value) if version == 3 else set()))
    raw_keys = top.value["keys"]
    if not isinstance(raw_keys, list):
        raise InvalidInput.one("trust_list.keys", "must be a list")
    keys = []
    for i, raw in enumerate(raw_keys):
        entry = _Reader(f"trust_list.keys[{i}]", raw)
        entry.only({"kid", "public_key", "valid_from", "valid_until"})
        try:
            key = TrustedKey(
                entry.base64("public_key", 32), entry.time("valid_from"), entry.time("valid_until")
            )
        except InvalidInput as exc:
            raise _nest(exc, entry.path) from None
        if key.kid != entry.hex8("kid"):
            raise InvalidInput.one(f"{entry.path}.kid", "is not the kid of the public key")
        keys.append(key)
    try:
        trust_list = TrustList(
            top.text("jurisdiction"),
            top.integer("sequence"),
            top.time("issued_at"),
            top.hex8("root_kid"),
            tuple(keys),
            None if version == 1 else top.seconds("max_code_lifetime"),
            None if version < 3 else top.time("expires_at"),
            top.base64(_NEXT_ROOT, 32) if _NEXT_ROOT in top.value else None,
        )
    except InvalidInput as exc:
        raise _nest(exc, "trust_list") from None
    return SignedTrustList(trust_list, top.base64("signature", 64))


def _time_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime(_TIME_FORMAT)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class _Reader:
    """Strict field access over parsed JSON, reporting problems by dotted path."""

    def __init__(self, path: str, value: object) -> None:
        if not isinstance(value, dict):
            raise InvalidInput.one(path, "must be a JSON object")
        self.path, self.value = path, value

    def only(self, names: set[str]) -> None:
        extra = sorted(set(self.value) - names)
        missing = sorted(names - set(self.value))
        problems = [Problem(f"{self.path}.{n}", "is required") for n in missing]
        problems += [Problem(f"{self.path}.{n}", "is not a known field") for n in extra]
        if problems:
            raise InvalidInput(problems)

    def text(self, name: str) -> str:
        value = self.value[name]
        if not isinstance(value, str):
            raise InvalidInput.one(f"{self.path}.{name}", "must be a string")
        return value

    def integer(self, name: str) -> int:
        value = self.value[name]
        if type(value) is not int:
            raise InvalidInput.one(f"{self.path}.{name}", "must be an integer")
        return value

    def seconds(self, name: str) -> timedelta:
        value = self.integer(name)
        if not 1 <= value <= 0xFFFF_FFFF:
            raise InvalidInput.one(f"{self.path}.{name}", "must be 1 to 2^32 - 1 seconds")
        return timedelta(seconds=value)

    def time(self, name: str) -> datetime:
        text = self.text(name)
        try:
            value = datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            value = None
        if value is None or _time_text(value) != text:
            raise InvalidInput.one(f"{self.path}.{name}", "must look like 2024-03-01T08:00:00Z")
        return value

    def hex8(self, name: str) -> bytes:
        text = self.text(name)
        if len(text) != 2 * KID_BYTES or not set(text) <= _HEX_DIGITS:
            raise InvalidInput.one(f"{self.path}.{name}", "must be 16 lowercase hex digits")
        return bytes.fromhex(text)

    def base64(self, name: str, size: int) -> bytes:
        text = self.text(name)
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != size or _b64(raw) != text:
            raise InvalidInput.one(
                f"{self.path}.{name}", f"must be {size} bytes in unpadded base64url"
            )
        return raw


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise InvalidInput.one(f"trust_list.{name}", "appears twice")
        result[name] = value
    return result


def _nest(exc: InvalidInput, path: str) -> InvalidInput:
    return InvalidInput(
        [
            p if p.field.startswith(path) else Problem(f"{path}.{p.field}", p.message)
            for p in exc.problems
        ]
    )
