"""What the offline checkpoint commands (`scan`, `verify`) share: the root keys they pin.

An offline checkpoint needs only its device file and its trust lists, from any folder. The
root key that signs a trust list is pinned by ``--root-key``, else by the device file (``device
add --key-out`` writes its jurisdiction's root into it), else by this instance's own keys — and
those are read only when this instance's database is there: a command run elsewhere never opens
(so never creates) ``var/healthcode.db``."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from healthcode.cli.context import load_settings, missing_database, system
from healthcode.codes.keys import list_keys
from healthcode.credentials.signer import load_public_key
from healthcode.kernel.errors import InvalidInput


def root_from_text(text: str) -> bytes:
    """A root key given on the command line (base64url Ed25519 public key)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise InvalidInput.one("root_key", "must be a base64url Ed25519 public key (32 bytes)")
    return raw


def _instance_root(jurisdiction: str, as_json: bool) -> bytes:
    missing = missing_database(load_settings(as_json=as_json).database_url)
    if missing is not None:
        raise InvalidInput.one(
            "root_key",
            f"no root key of {jurisdiction} is pinned: pass --root-key (the issuer's, from "
            "`healthcode keys list`) or use a device file that holds it",
        )
    with system(as_json=as_json) as c:
        roots = [k for k in list_keys(uow=c.uow(), jurisdiction=jurisdiction) if k.role == "root"]
    if not roots:
        raise InvalidInput.one(
            "root_key", f"no root key of {jurisdiction} is known here: pass --root-key"
        )
    return roots[-1].public_key


def pinned_roots(
    jurisdictions: Iterable[str],
    *,
    given: str | None,
    held: Mapping[str, bytes] | None = None,
    as_json: bool,
) -> dict[str, Ed25519PublicKey]:
    """The root key to trust for each jurisdiction whose trust list is given."""
    roots: dict[str, Ed25519PublicKey] = {}
    for jurisdiction in jurisdictions:
        if given is not None:
            raw = root_from_text(given)
        elif held and jurisdiction in held:
            raw = held[jurisdiction]
        else:
            raw = _instance_root(jurisdiction, as_json)
        roots[jurisdiction] = load_public_key(raw)
    return roots
