"""Trust lists: a jurisdiction's code-signing keys, signed by its long-lived root key.

What is signed: the deterministic CBOR (RFC 8949 §4.2; arrays, integers, text and byte strings
only, so the encoding has one form) of

    ["healthcode trust list v1", jurisdiction, sequence, issued_at, root_kid,
     [[kid, public_key, valid_from, valid_until], ...]]

with times as integer epoch seconds (UTC), `kid` and `root_kid` 8 bytes, `public_key` the raw
32 bytes. The context string keeps a root signature from ever meaning anything else.

File form (JSON, for people to inspect and diff), with a detached signature over those bytes:

    {"format": "healthcode-trust-list/1", "jurisdiction": "330100", "sequence": 7,
     "issued_at": "2024-03-01T00:00:00Z", "root_kid": "<16 hex>",
     "keys": [{"kid": "<16 hex>", "public_key": "<base64url>",
               "valid_from": "…Z", "valid_until": "…Z"}],
     "signature": "<base64url, no padding>"}

A key's validity period is when it may *sign* ([valid_from, valid_until)); the key stays in the
list after `valid_until` until the last code it signed has expired.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from healthcode.credentials.claims import is_jurisdiction
from healthcode.credentials.cose import KID_BYTES, kid_of, public_key_bytes
from healthcode.domain.errors import Conflict, InvalidInput, Problem

TRUST_LIST_FORMAT: Final = "healthcode-trust-list/1"
SIGNING_CONTEXT: Final = "healthcode trust list v1"
_TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"
_MAX_SEQUENCE: Final = 2**63 - 1


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """One code-signing key and the period in which it may sign ([valid_from, valid_until))."""

    public_key: bytes
    valid_from: datetime
    valid_until: datetime
    kid: bytes = field(init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.public_key, bytes) or len(self.public_key) != 32:
            raise InvalidInput.one("public_key", "must be the raw 32 bytes of an Ed25519 key")
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key)
        except ValueError:
            raise InvalidInput.one("public_key", "is not a valid Ed25519 public key") from None
        _set_time(self, "valid_from")
        _set_time(self, "valid_until")
        if self.valid_until <= self.valid_from:
            raise InvalidInput.one("valid_until", "must be after valid_from")
        object.__setattr__(self, "kid", kid_of(self.public_key))

    @classmethod
    def of(
        cls, public_key: Ed25519PublicKey, *, valid_from: datetime, valid_until: datetime
    ) -> TrustedKey:
        """A trusted-key entry for a public key object."""
        return cls(public_key_bytes(public_key), valid_from, valid_until)


@dataclass(frozen=True, slots=True)
class TrustList:
    """A jurisdiction's keys at one sequence number; `root_kid` names the root that signs it."""

    jurisdiction: str
    sequence: int
    issued_at: datetime
    root_kid: bytes
    keys: tuple[TrustedKey, ...]

    def __post_init__(self) -> None:
        if not is_jurisdiction(self.jurisdiction):
            raise InvalidInput.one("jurisdiction", "must be a GB/T 2260 six-digit code")
        if type(self.sequence) is not int or not 0 <= self.sequence <= _MAX_SEQUENCE:
            raise InvalidInput.one("sequence", "must be a non-negative 63-bit integer")
        _set_time(self, "issued_at")
        if not isinstance(self.root_kid, bytes) or len(self.root_kid) != KID_BYTES:
            raise InvalidInput.one("root_kid", "must be 8 bytes")
        object.__setattr__(self, "keys", tuple(self.keys))
        kids = [key.kid for key in self.keys]
        if len(set(kids)) != len(kids):
            raise InvalidInput.one("keys", "must not list the same key twice")

    def to_be_signed(self) -> bytes:
        """The deterministic CBOR bytes the root key signs."""
        return cbor2.dumps(
            [
                SIGNING_CONTEXT,
                self.jurisdiction,
                self.sequence,
                _seconds(self.issued_at),
                self.root_kid,
                [
                    [k.kid, k.public_key, _seconds(k.valid_from), _seconds(k.valid_until)]
                    for k in self.keys
                ],
            ],
            canonical=True,
        )


def build_trust_list(
    *,
    jurisdiction: str,
    sequence: int,
    issued_at: datetime,
    keys: Iterable[TrustedKey],
    root_public_key: Ed25519PublicKey,
) -> TrustList:
    """A trust list naming `root_public_key` as its root."""
    return TrustList(jurisdiction, sequence, issued_at, kid_of(root_public_key), tuple(keys))


@dataclass(frozen=True, slots=True)
class SignedTrustList:
    """A trust list with its detached root signature (64 bytes)."""

    trust_list: TrustList
    signature: bytes

    def signed_by(self, root_public_key: Ed25519PublicKey) -> bool:
        """True when the signature verifies under `root_public_key` and the list names it."""
        if self.trust_list.root_kid != kid_of(root_public_key):
            return False
        try:
            root_public_key.verify(self.signature, self.trust_list.to_be_signed())
        except InvalidSignature:
            return False
        return True

    def to_json(self) -> str:
        """The file form: indented JSON with base64url keys and signature."""
        tl = self.trust_list
        document = {
            "format": TRUST_LIST_FORMAT,
            "jurisdiction": tl.jurisdiction,
            "sequence": tl.sequence,
            "issued_at": _time_text(tl.issued_at),
            "root_kid": tl.root_kid.hex(),
            "keys": [
                {
                    "kid": k.kid.hex(),
                    "public_key": _b64(k.public_key),
                    "valid_from": _time_text(k.valid_from),
                    "valid_until": _time_text(k.valid_until),
                }
                for k in tl.keys
            ],
            "signature": _b64(self.signature),
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> SignedTrustList:
        """Parse the file form strictly (no signature check); raise `InvalidInput` if malformed."""
        return _parse_document(text)


def sign_trust_list(
    trust_list: TrustList, *, root_private_key: Ed25519PrivateKey
) -> SignedTrustList:
    """Sign `trust_list` with its root key (which must be the root the list names)."""
    if trust_list.root_kid != kid_of(root_private_key.public_key()):
        raise InvalidInput.one("root_kid", "does not name the key signing the list")
    return SignedTrustList(trust_list, root_private_key.sign(trust_list.to_be_signed()))


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    """A trusted key loaded for verification: the key object and its times as epoch seconds."""

    jurisdiction: str
    kid: bytes
    public_key: Ed25519PublicKey
    valid_from: int
    valid_until: int
    list_issued_at: int


class TrustStore:
    """The latest accepted trust list per jurisdiction, verified against pinned root keys.

    Public key objects are loaded once, when a list is accepted, and indexed by kid, so a
    verification costs one dictionary lookup. Not thread-safe for concurrent `accept` calls;
    lookups see either the old or the new index, never a mix.
    """

    def __init__(self, *, roots: Mapping[str, Ed25519PublicKey]) -> None:
        for jurisdiction in roots:
            if not is_jurisdiction(jurisdiction):
                raise InvalidInput.one("roots", f"{jurisdiction!r} is not a GB/T 2260 code")
        self._roots = dict(roots)
        self._lists: dict[str, TrustList] = {}
        self._index: dict[bytes, tuple[ResolvedKey, ...]] = {}

    @property
    def jurisdictions(self) -> frozenset[str]:
        """The jurisdictions whose trust list this store holds."""
        return frozenset(self._lists)

    def trust_list(self, jurisdiction: str) -> TrustList | None:
        """The accepted trust list of `jurisdiction`, if any."""
        return self._lists.get(jurisdiction)

    def keys_for(self, kid: bytes) -> tuple[ResolvedKey, ...]:
        """The trusted keys named by `kid` (empty when none; more than one only on a collision)."""
        return self._index.get(kid, ())

    def accept_json(self, text: str | bytes) -> TrustList:
        """Parse a trust-list file and `accept` it."""
        return self.accept(SignedTrustList.from_json(text))

    def accept(self, signed: SignedTrustList) -> TrustList:
        """Verify `signed` against its jurisdiction's pinned root and hold it.

        Raises `InvalidInput` (no pinned root, wrong root, bad signature) or `Conflict`
        (a lower sequence than the list held, or the same sequence with different content).
        Accepting the list already held again is a no-op.
        """
        tl = signed.trust_list
        root = self._roots.get(tl.jurisdiction)
        if root is None:
            raise InvalidInput.one(
                "trust_list.jurisdiction", f"no root key is pinned for {tl.jurisdiction}"
            )
        if tl.root_kid != kid_of(root):
            raise InvalidInput.one(
                "trust_list.root_kid",
                f"signed by another root ({tl.root_kid.hex()}), "
                f"not the pinned root {kid_of(root).hex()} of {tl.jurisdiction}",
            )
        if not signed.signed_by(root):
            raise InvalidInput.one(
                "trust_list.signature",
                f"does not verify under the pinned root key of {tl.jurisdiction}",
            )
        held = self._lists.get(tl.jurisdiction)
        if held is not None:
            if tl.sequence < held.sequence:
                raise Conflict(
                    "trust_list.sequence",
                    f"{tl.sequence} is lower than the {held.sequence} already held "
                    f"for {tl.jurisdiction}",
                )
            if tl.sequence == held.sequence:
                if tl == held:
                    return held
                raise Conflict(
                    "trust_list.sequence",
                    f"{tl.sequence} is already held for {tl.jurisdiction} with other content",
                )
        lists = {**self._lists, tl.jurisdiction: tl}
        self._index = _build_index(lists.values())
        self._lists = lists
        return tl


def _build_index(lists: Iterable[TrustList]) -> dict[bytes, tuple[ResolvedKey, ...]]:
    index: dict[bytes, tuple[ResolvedKey, ...]] = {}
    for tl in lists:
        for key in tl.keys:
            resolved = ResolvedKey(
                jurisdiction=tl.jurisdiction,
                kid=key.kid,
                public_key=Ed25519PublicKey.from_public_bytes(key.public_key),
                valid_from=_seconds(key.valid_from),
                valid_until=_seconds(key.valid_until),
                list_issued_at=_seconds(tl.issued_at),
            )
            index[key.kid] = (*index.get(key.kid, ()), resolved)
    return index


# -- helpers ------------------------------------------------------------------------------------


def _set_time(obj: object, name: str) -> None:
    value = getattr(obj, name)
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidInput.one(name, "must be a timezone-aware datetime")
    if value.microsecond:
        raise InvalidInput.one(name, "must be whole seconds")
    object.__setattr__(obj, name, value.astimezone(UTC))


def _seconds(value: datetime) -> int:
    return int(value.timestamp())


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
        if len(text) != 2 * KID_BYTES or text != text.lower():
            raise InvalidInput.one(f"{self.path}.{name}", "must be 16 lowercase hex digits")
        try:
            return bytes.fromhex(text)
        except ValueError:
            raise InvalidInput.one(f"{self.path}.{name}", "must be 16 lowercase hex digits") from None

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


def _parse_document(text: str | bytes) -> SignedTrustList:
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput.one("trust_list", f"is not JSON ({exc.__class__.__name__})") from None
    top = _Reader("trust_list", document)
    top.only({"format", "jurisdiction", "sequence", "issued_at", "root_kid", "keys", "signature"})
    if top.text("format") != TRUST_LIST_FORMAT:
        raise InvalidInput.one("trust_list.format", f"must be {TRUST_LIST_FORMAT}")
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
        )
    except InvalidInput as exc:
        raise _nest(exc, "trust_list") from None
    return SignedTrustList(trust_list, top.base64("signature", 64))


def _nest(exc: InvalidInput, path: str) -> InvalidInput:
    return InvalidInput(
        [
            p if p.field.startswith(path) else Problem(f"{path}.{p.field}", p.message)
            for p in exc.problems
        ]
    )
