"""A checkpoint's trust store: the latest verified trust list per jurisdiction, keys ready.

Each jurisdiction's root public key is pinned when the store is made (shipped with the
checkpoint, or configured by the authority). A list is accepted only when its signature verifies
under that root and its sequence number is not lower than the one held: an attacker who replays
an old list (to bring back a retired key) is refused, and so is a second, different list with the
same sequence number. Given the time (`accept(..., at=)`), a list issued in the future (beyond
`LIST_CLOCK_SKEW`) or already expired is refused too. A refused list changes nothing: the last
good list stays held, and the refusal is remembered (`last_refusal`).

**Root rotation**: a list accepted under the pinned root that announces `next_root` makes the
store accept a later list signed by that announced root; once one is accepted, the announced
root is pinned in place of the old one, which signs nothing more for the jurisdiction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nacl.signing import VerifyKey

from healthcode.credentials.claims import is_jurisdiction
from healthcode.credentials.cose import kid_of
from healthcode.credentials.trustfile import load_trust_list
from healthcode.credentials.trustlist import SignedTrustList, TrustList, epoch_seconds
from healthcode.kernel.errors import Conflict, DomainError, InvalidInput

LIST_CLOCK_SKEW: Final = timedelta(minutes=5)
"""How far ahead of the verifier's clock a list's `issued_at` may lie before it is refused."""


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
    list_expires_at: int | None = None  # epoch seconds; None: the list (v1, v2) never expires


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
        self._next_roots: dict[str, Ed25519PublicKey] = {}
        self._lists: dict[str, TrustList] = {}
        self._index: dict[bytes, tuple[ResolvedKey, ...]] = {}
        self._refusals: dict[str, str] = {}

    def pinned_root(self, jurisdiction: str) -> Ed25519PublicKey | None:
        """The root key trusted now for `jurisdiction` (the announced one once it took over)."""
        return self._roots.get(jurisdiction)

    def announced_root(self, jurisdiction: str) -> Ed25519PublicKey | None:
        """The next root the held list of `jurisdiction` announces, until it takes over."""
        return self._next_roots.get(jurisdiction)

    def last_refusal(self, jurisdiction: str) -> str | None:
        """Why the last list refused for `jurisdiction` was refused (None: none was)."""
        return self._refusals.get(jurisdiction)

    def age(self, jurisdiction: str, *, at: datetime) -> timedelta | None:
        """How long before `at` the held list of `jurisdiction` was issued (None: none held)."""
        held = self._lists.get(jurisdiction)
        return None if held is None else at - held.issued_at

    def stale(self, jurisdiction: str, *, at: datetime, limit: timedelta) -> bool:
        """True when the held list is older than `limit` or has expired (or none is held)."""
        held = self._lists.get(jurisdiction)
        if held is None:
            return True
        expired = held.expires_at is not None and at >= held.expires_at
        return expired or at - held.issued_at > limit

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

    def accept_json(self, text: str | bytes, *, at: datetime | None = None) -> TrustList:
        """Parse a trust-list file and `accept` it."""
        return self.accept(load_trust_list(text), at=at)

    def accept(self, signed: SignedTrustList, *, at: datetime | None = None) -> TrustList:
        """Verify `signed` against its jurisdiction's pinned (or announced) root and hold it.

        Raises `InvalidInput` (no pinned root, wrong root, bad signature; with `at`: issued
        more than `LIST_CLOCK_SKEW` after `at`, or expired at `at`) or `Conflict` (a lower
        sequence than the list held, or the same sequence with different content). Accepting
        the list already held again is a no-op. A refusal keeps the list held and is
        remembered for `last_refusal`. Without `at` the times are not checked.
        """
        try:
            return self._accept(signed, at)
        except DomainError as error:
            self._refusals[signed.trust_list.jurisdiction] = str(error)
            raise

    def _accept(self, signed: SignedTrustList, at: datetime | None) -> TrustList:
        tl = signed.trust_list
        root = self._roots.get(tl.jurisdiction)
        if root is None:
            raise InvalidInput.one(
                "trust_list.jurisdiction", f"no root key is pinned for {tl.jurisdiction}"
            )
        announced = self._next_roots.get(tl.jurisdiction)
        if announced is not None and tl.root_kid == kid_of(announced):
            root = announced  # the rotation announced under the pinned root takes over
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
        if at is not None:
            _check_times(tl, at)
        held = self._lists.get(tl.jurisdiction)
        if held is not None and _same_or_older(tl, held):
            return held
        lists = {**self._lists, tl.jurisdiction: tl}
        self._index = _build_index(lists.values())
        self._lists = lists
        self._roots[tl.jurisdiction] = root
        if tl.next_root is not None:
            self._next_roots[tl.jurisdiction] = load_root(tl.next_root)
        else:
            self._next_roots.pop(tl.jurisdiction, None)
        return tl


def _same_or_older(tl: TrustList, held: TrustList) -> bool:
    """True when `tl` is the list held; raise `Conflict` when it would go back or fork."""
    if tl.sequence < held.sequence:
        raise Conflict(
            "trust_list.sequence",
            f"{tl.sequence} is lower than the {held.sequence} already held for {tl.jurisdiction}",
        )
    if tl.sequence == held.sequence:
        if tl == held:
            return True
        raise Conflict(
            "trust_list.sequence",
            f"{tl.sequence} is already held for {tl.jurisdiction} with other content",
        )
    return False


def load_root(raw: bytes) -> Ed25519PublicKey:
    """A root public key object from its raw 32 bytes."""
    return Ed25519PublicKey.from_public_bytes(raw)


def _check_times(tl: TrustList, at: datetime) -> None:
    if tl.issued_at > at + LIST_CLOCK_SKEW:
        raise InvalidInput.one(
            "trust_list.issued_at",
            f"the list of {tl.jurisdiction} is issued {tl.issued_at:%Y-%m-%d %H:%M:%SZ}, "
            f"in the future (more than {int(LIST_CLOCK_SKEW.total_seconds())} s ahead)",
        )
    if tl.expires_at is not None and at >= tl.expires_at:
        raise InvalidInput.one(
            "trust_list.expires_at",
            f"the list of {tl.jurisdiction} expired {tl.expires_at:%Y-%m-%d %H:%M:%SZ}",
        )


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
                list_expires_at=None if tl.expires_at is None else epoch_seconds(tl.expires_at),
            )
            index[key.kid] = (*index.get(key.kid, ()), resolved)
    return index
