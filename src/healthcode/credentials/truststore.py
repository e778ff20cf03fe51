"""A checkpoint's trust store: the latest verified trust list per jurisdiction, keys ready.

Each jurisdiction's root public key is pinned when the store is made (shipped with the
checkpoint, or configured by the authority). A list is accepted only when its signature verifies
under that root and its sequence number is not lower than the one held: an attacker who replays
an old list (to bring back a retired key) is refused, and so is a second, different list with the
same sequence number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nacl.signing import VerifyKey

from healthcode.credentials.claims import is_jurisdiction
from healthcode.credentials.cose import kid_of
from healthcode.credentials.trustfile import load_trust_list
from healthcode.credentials.trustlist import SignedTrustList, TrustList, epoch_seconds
from healthcode.kernel.errors import Conflict, InvalidInput


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    """A trusted key loaded for verification: the key object and its times as epoch seconds.

    `verify_key` is libsodium's (through PyNaCl): it checks an Ed25519 signature in about half
    the time `cryptography`'s does (bench/verify.py measures both), and a checkpoint spends most
    of a scan there."""

    jurisdiction: str
    kid: bytes
    verify_key: VerifyKey
    valid_from: int
    valid_until: int
    list_issued_at: int
    max_lifetime: int | None  # seconds; None: the list (v1) publishes no maximum


class TrustStore:
    """The latest accepted trust list per jurisdiction, verified against pinned root keys.

    Verifying keys are loaded once, when a list is accepted, and indexed by kid, so a
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
        return self.accept(load_trust_list(text))

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
                verify_key=VerifyKey(key.public_key),
                valid_from=epoch_seconds(key.valid_from),
                valid_until=epoch_seconds(key.valid_until),
                list_issued_at=epoch_seconds(tl.issued_at),
                max_lifetime=tl.max_code_lifetime_seconds,
            )
            index[key.kid] = (*index.get(key.kid, ()), resolved)
    return index
