"""Peers and their trust lists, as pure rules: what a peer is, and whether a list fetched from
one may replace the list held (pinned root, sequence never going back, not dated in the future,
not expired), and which root is pinned after it (a rotation the held list announced).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from healthcode.credentials.claims import is_jurisdiction
from healthcode.credentials.cose import kid_of
from healthcode.credentials.trustfile import load_trust_list
from healthcode.credentials.trustlist import SignedTrustList, TrustList
from healthcode.credentials.truststore import TrustStore
from healthcode.kernel.errors import DomainError, InvalidInput, Problem

MAX_URL = 500


class Outcome(StrEnum):
    """What one sync of a peer came to: a new list, the same list again, or a refusal."""

    ACCEPTED = "accepted"
    UNCHANGED = "unchanged"
    UNREACHABLE = "unreachable"
    MALFORMED = "malformed"
    WRONG_JURISDICTION = "wrong_jurisdiction"
    WRONG_ROOT = "wrong_root"
    BAD_SIGNATURE = "bad_signature"
    OLDER_SEQUENCE = "older_sequence"
    SEQUENCE_REUSED = "sequence_reused"
    FUTURE_DATED = "future_dated"
    EXPIRED = "expired"

    @property
    def refused(self) -> bool:
        return self not in (Outcome.ACCEPTED, Outcome.UNCHANGED)


def refusal_text(outcome: Outcome, detail: str) -> str:
    """How a refused sync is recorded: the outcome's code, then the detail (English, for an
    operator)."""
    return f"{outcome.value}: {detail}"


def refusal_outcome(text: str | None) -> Outcome | None:
    """The outcome a recorded refusal (``refusal_text``) names, so a page can say it in its own
    language; None for no refusal, or for text that names no outcome."""
    if text is None:
        return None
    try:
        return Outcome(text.partition(":")[0])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class HeldList:
    """A peer's last good trust list, exactly as received (its file form), and when."""

    document: str
    sequence: int
    issued_at: datetime
    received_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Peer:
    """Another jurisdiction: where its instance answers and the root key pinned when added."""

    jurisdiction: str
    base_url: str
    root_public_key: bytes
    added_at: datetime
    added_by: str
    held: HeldList | None = None
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None

    @property
    def root_kid(self) -> str:
        return kid_of(self.root_public_key).hex()

    def list_age(self, now: datetime) -> timedelta | None:
        """How old the held list is (since its issue), None while none is held."""
        return None if self.held is None else now - self.held.issued_at


@dataclass(frozen=True, slots=True)
class NewPeer:
    """A peer to add: its GB/T 2260 code, base URL and root public key (raw 32 bytes)."""

    jurisdiction: str
    base_url: str
    root_public_key: bytes


@dataclass(frozen=True, slots=True)
class SyncResult:
    """One peer's sync: its outcome, the sequence held after it, and why a list was refused."""

    jurisdiction: str
    outcome: Outcome
    sequence: int | None
    message: str = ""


class ListRefused(DomainError):
    """A fetched list may not replace the one held: the outcome names why."""

    def __init__(self, outcome: Outcome, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message


def peer_problems(peer: NewPeer, *, serving: str) -> list[Problem]:
    """What is wrong with a peer to add (this instance's own jurisdiction is no peer)."""
    problems: list[Problem] = []
    if not is_jurisdiction(peer.jurisdiction):
        problems.append(Problem("jurisdiction", "must be a GB/T 2260 six-digit code"))
    elif peer.jurisdiction == serving:
        problems.append(
            Problem("jurisdiction", f"is {serving}, the one this instance serves: not a peer")
        )
    url = urlsplit(peer.base_url)
    if (
        len(peer.base_url) > MAX_URL
        or url.scheme not in ("http", "https")
        or not url.hostname
        or url.query
        or url.fragment
    ):
        problems.append(Problem("url", "must be an http(s) URL with a host, no query or fragment"))
    try:
        Ed25519PublicKey.from_public_bytes(peer.root_public_key)
    except ValueError:
        problems.append(Problem("root_key", "must be the 32 bytes of an Ed25519 public key"))
    return problems


def parse_root_key(text: str) -> bytes:
    """A root public key as written (unpadded base64url, as the trust list and `keys list`
    show keys, or 64 hex digits); ``InvalidInput`` on ``root_key`` otherwise."""
    text = text.strip()
    if len(text) == 64:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise InvalidInput.one("root_key", "must be 32 bytes in base64url or 64 hex digits")
    return raw


def list_validity_problem(
    signed: SignedTrustList, *, now: datetime, clock_skew: timedelta
) -> ListRefused | None:
    """Whether the list may be held now, on its own times: one issued in the future (beyond
    the clock skew) or past its own expiry (a v3 list's ``expires_at``) is refused."""
    tl = signed.trust_list
    if tl.issued_at > now + clock_skew:
        return ListRefused(
            Outcome.FUTURE_DATED, f"issued at {tl.issued_at.isoformat()}, in the future"
        )
    if tl.expires_at is not None and now >= tl.expires_at:
        return ListRefused(Outcome.EXPIRED, f"expired at {tl.expires_at.isoformat()}")
    return None


def announced_root(peer: Peer) -> bytes | None:
    """The next root the peer's held list announces (v3 ``next_root``), signed by the pinned
    root: a list signed by it is the rotation taking over."""
    if peer.held is None:
        return None
    return load_trust_list(peer.held.document).trust_list.next_root


def next_pinned_root(peer: Peer, accepted: SignedTrustList) -> bytes:
    """The root to pin after ``accepted``: the pinned one, or the root the held list announced
    once a list signed by it is accepted (after which the old root signs nothing more)."""
    announced = announced_root(peer)
    if announced is not None and accepted.trust_list.root_kid == kid_of(
        Ed25519PublicKey.from_public_bytes(announced)
    ):
        return announced
    return peer.root_public_key


def judge(
    document: bytes, *, peer: Peer, now: datetime, clock_skew: timedelta
) -> tuple[Outcome, SignedTrustList]:
    """Whether ``document`` (fetched from ``peer``) replaces its held list: ``ACCEPTED`` (a
    newer list) or ``UNCHANGED`` (the list held), else ``ListRefused`` with the reason. The
    pinned root and the sequence are checked by the library's ``TrustStore`` too."""
    signed = _parse(document)
    tl = signed.trust_list
    if tl.jurisdiction != peer.jurisdiction:
        raise ListRefused(
            Outcome.WRONG_JURISDICTION, f"a list of {tl.jurisdiction}, not of {peer.jurisdiction}"
        )
    root = Ed25519PublicKey.from_public_bytes(next_pinned_root(peer, signed))
    if tl.root_kid != kid_of(root):
        raise ListRefused(
            Outcome.WRONG_ROOT,
            f"signed by root {tl.root_kid.hex()}, not the pinned {peer.root_kid}",
        )
    if not signed.signed_by(root):
        raise ListRefused(Outcome.BAD_SIGNATURE, "the signature does not verify under the root")
    invalid = list_validity_problem(signed, now=now, clock_skew=clock_skew)
    if invalid is not None:
        raise invalid
    pinned = Ed25519PublicKey.from_public_bytes(peer.root_public_key)
    store = TrustStore(roots={peer.jurisdiction: pinned})
    if peer.held is not None:
        held = store.accept(load_trust_list(peer.held.document))
        if tl == held:
            return Outcome.UNCHANGED, signed
        _require_newer(tl, held)
    store.accept(signed)
    return Outcome.ACCEPTED, signed


def _parse(document: bytes) -> SignedTrustList:
    try:
        return load_trust_list(document.decode("utf-8"))
    except UnicodeDecodeError:
        raise ListRefused(Outcome.MALFORMED, "not UTF-8 text") from None
    except InvalidInput as exc:
        raise ListRefused(Outcome.MALFORMED, f"not a trust list: {exc}") from None


def _require_newer(tl: TrustList, held: TrustList) -> None:
    """The sequence never goes back, and one sequence means one content."""
    if tl.sequence < held.sequence:
        raise ListRefused(
            Outcome.OLDER_SEQUENCE, f"sequence {tl.sequence} is below the {held.sequence} held"
        )
    if tl.sequence == held.sequence:
        raise ListRefused(
            Outcome.SEQUENCE_REUSED, f"sequence {tl.sequence} is held already with other content"
        )
