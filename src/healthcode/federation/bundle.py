"""The trust bundle a checkpoint holds: this city's trust list and every peer's last good list,
each exactly as its jurisdiction signed it, with the peers' pinned roots, the whole signed by
this city's root key (docs/federation.md#the-trust-bundle).

    {"format": "healthcode-trust-bundle/1", "jurisdiction": "330100",
     "issued_at": "2026-12-06T10:00:00Z", "root_kid": "<16 hex digits>",
     "roots": [{"jurisdiction": "310000", "root_public_key": "<base64url, 32 bytes>"}],
     "lists": ["<a trust-list file, as text>", ...],
     "signature": "<base64url, 64 bytes>"}

What is signed: the deterministic CBOR of ``["healthcode trust bundle v1", jurisdiction,
issued_at, root_kid, [[jurisdiction, root_public_key], ...], [list text, ...]]`` (times in epoch
seconds, keys and kid as bytes). A checkpoint pins its own city's root only: the bundle vouches
for the peers' roots, and each list inside still verifies under its own jurisdiction's root.
A pure module: no storage, used by the server to make a bundle and by a reader to open one.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from healthcode.credentials.claims import is_jurisdiction
from healthcode.credentials.cose import kid_of, public_key_bytes
from healthcode.credentials.trustlist import epoch_seconds
from healthcode.credentials.truststore import TrustStore
from healthcode.kernel.errors import InvalidInput

BUNDLE_FORMAT: Final = "healthcode-trust-bundle/1"
SIGNING_CONTEXT: Final = "healthcode trust bundle v1"
_FIELDS: Final = frozenset(
    {"format", "jurisdiction", "issued_at", "root_kid", "roots", "lists", "signature"}
)
_TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True, slots=True)
class TrustBundle:
    """This city's list and its peers' lists (file texts), the peers' roots, one issue time."""

    jurisdiction: str
    issued_at: datetime
    root_kid: bytes
    roots: tuple[tuple[str, bytes], ...]  # (peer jurisdiction, raw root public key), sorted
    lists: tuple[str, ...]

    def to_be_signed(self) -> bytes:
        roots = [[j, key] for j, key in self.roots]
        head = [SIGNING_CONTEXT, self.jurisdiction, epoch_seconds(self.issued_at), self.root_kid]
        return cbor2.dumps([*head, roots, list(self.lists)], canonical=True)


def sign_bundle(bundle: TrustBundle, *, root_private_key: Ed25519PrivateKey) -> str:
    """The bundle's JSON text, signed by this city's root key (the one its ``root_kid`` names)."""
    if bundle.root_kid != kid_of(root_private_key.public_key()):
        raise InvalidInput.one("root_kid", "does not name the key signing the bundle")
    signature = root_private_key.sign(bundle.to_be_signed())
    document = {
        "format": BUNDLE_FORMAT,
        "jurisdiction": bundle.jurisdiction,
        "issued_at": bundle.issued_at.astimezone(UTC).strftime(_TIME_FORMAT),
        "root_kid": bundle.root_kid.hex(),
        "roots": [{"jurisdiction": j, "root_public_key": _b64(key)} for j, key in bundle.roots],
        "lists": list(bundle.lists),
        "signature": _b64(signature),
    }
    return json.dumps(document, indent=2) + "\n"


def open_bundle(
    text: str | bytes, *, root_public_key: Ed25519PublicKey, at: datetime | None = None
) -> TrustStore:
    """A trust store of every list in the bundle, after checking the bundle's signature under
    this city's pinned root and each list under its own jurisdiction's root (``InvalidInput``
    or ``Conflict`` naming what failed; with ``at``, a list expired or issued in the future
    then is refused too)."""
    bundle = verified_bundle(parse_bundle(text), root_public_key=root_public_key)
    store = TrustStore(roots=bundle_roots(bundle, root_public_key=root_public_key))
    for text_of_list in bundle.lists:
        store.accept_json(text_of_list, at=at)
    return store


@dataclass(frozen=True, slots=True)
class ParsedBundle:
    """A bundle read from its text, its signature not checked yet."""

    bundle: TrustBundle
    signature: bytes

    @property
    def jurisdiction(self) -> str:
        return self.bundle.jurisdiction


def parse_bundle(text: str | bytes) -> ParsedBundle:
    """The bundle in ``text``, its form checked (``InvalidInput`` naming the field)."""
    bundle, signature = _parse(text)
    return ParsedBundle(bundle, signature)


def verified_bundle(parsed: ParsedBundle, *, root_public_key: Ed25519PublicKey) -> TrustBundle:
    """The bundle once its ``root_kid`` names ``root_public_key`` (this city's pinned root)
    and its signature verifies under it; its lists are still to be checked, each under its own
    jurisdiction's root (``bundle_roots``)."""
    bundle = parsed.bundle
    if bundle.root_kid != kid_of(root_public_key):
        raise InvalidInput.one("bundle.root_kid", "is not the pinned root of this city")
    try:
        root_public_key.verify(parsed.signature, bundle.to_be_signed())
    except InvalidSignature:
        raise InvalidInput.one("bundle.signature", "does not verify under the root") from None
    if bundle.jurisdiction in dict(bundle.roots):
        raise InvalidInput.one("bundle.roots", "must not name the city's own jurisdiction")
    return bundle


def bundle_roots(
    bundle: TrustBundle, *, root_public_key: Ed25519PublicKey
) -> dict[str, Ed25519PublicKey]:
    """The root to check each list of a verified bundle under: this city's pinned one, and
    each peer's as the bundle vouches for it."""
    roots = {j: Ed25519PublicKey.from_public_bytes(key) for j, key in bundle.roots}
    return {bundle.jurisdiction: root_public_key, **roots}


def _parse(text: str | bytes) -> tuple[TrustBundle, bytes]:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise InvalidInput.one("bundle", "is not JSON") from None
    if not isinstance(document, dict) or set(document) != _FIELDS:
        raise InvalidInput.one("bundle", f"must be an object with the fields {sorted(_FIELDS)}")
    if document["format"] != BUNDLE_FORMAT:
        raise InvalidInput.one("bundle.format", f"must be {BUNDLE_FORMAT}")
    jurisdiction = document["jurisdiction"]
    if not isinstance(jurisdiction, str) or not is_jurisdiction(jurisdiction):
        raise InvalidInput.one("bundle.jurisdiction", "must be a GB/T 2260 code")
    lists = document["lists"]
    if not isinstance(lists, list) or not all(isinstance(x, str) for x in lists):
        raise InvalidInput.one("bundle.lists", "must be a list of trust-list texts")
    bundle = TrustBundle(
        jurisdiction,
        _time(document["issued_at"]),
        _hex8(document["root_kid"]),
        tuple(_root(i, entry) for i, entry in enumerate(_list(document["roots"]))),
        tuple(lists),
    )
    return bundle, _raw(document["signature"], 64, "bundle.signature")


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidInput.one("bundle.roots", "must be a list")
    return value


def _root(i: int, entry: Any) -> tuple[str, bytes]:
    if not isinstance(entry, dict) or set(entry) != {"jurisdiction", "root_public_key"}:
        raise InvalidInput.one(f"bundle.roots[{i}]", "must hold jurisdiction, root_public_key")
    jurisdiction = entry["jurisdiction"]
    if not isinstance(jurisdiction, str) or not is_jurisdiction(jurisdiction):
        raise InvalidInput.one(f"bundle.roots[{i}].jurisdiction", "must be a GB/T 2260 code")
    raw = _raw(entry["root_public_key"], 32, f"bundle.roots[{i}].root_public_key")
    try:
        public_key_bytes(Ed25519PublicKey.from_public_bytes(raw))
    except ValueError:
        raise InvalidInput.one(f"bundle.roots[{i}]", "is not an Ed25519 key") from None
    return jurisdiction, raw


def _time(value: Any) -> datetime:
    try:
        return datetime.strptime(str(value), _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput.one("bundle.issued_at", "must look like 2024-03-01T08:00:00Z") from None


def _hex8(value: Any) -> bytes:
    try:
        raw = bytes.fromhex(str(value))
    except ValueError:
        raw = b""
    if len(raw) != 8:
        raise InvalidInput.one("bundle.root_kid", "must be 16 hex digits")
    return raw


def _raw(value: Any, size: int, field: str) -> bytes:
    text = str(value)
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != size:
        raise InvalidInput.one(field, f"must be {size} bytes in unpadded base64url")
    return raw


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
