"""Offline verification at a checkpoint: token text in, pass / stop / invalid out.

Checks, in order (the first failure decides the reason):

1. prefix `HZ2:` (bad_prefix); base45, COSE_Sign1 envelope, protected header (bad_encoding);
2. the kid names a key in a held trust list (unknown_kid);
3. the signature verifies under *that* key (bad_signature). Only the key the kid names is tried:
   a valid signature under some other trusted key with a wrong kid is refused, because trying
   every key would let the kid lie about which key (jurisdiction, validity period) signed;
4. the claims are well formed (bad_encoding) — parsed only once the signature holds;
5. the claimed issuer is the jurisdiction whose trust list holds the key (wrong_issuer);
6. the code was issued while the key could sign, [valid_from, valid_until) (key_not_valid);
7. its lifetime, expiry minus issued-at, is at most the maximum its issuer's trust list
   publishes (lifetime_too_long; a v1 list publishes none);
8. issued-at is not beyond `at + max_clock_skew` (not_yet_valid);
9. `at` is before expiry + `max_clock_skew` (expired);
10. the trust list holding the key has not expired: `at` before its `expires_at` + skew
    (trust_list_expired; a v1 or v2 list never expires);
11. this checkpoint accepts the issuer (issuer_not_trusted);
12. this checkpoint accepts the colour — of this issuer, when the acceptance has a rule of its
    own for it (a foreign jurisdiction's codes admitted at some venue kinds only): pass, else
    stop (colour_not_accepted), the message naming the rule.

Steps 1-11 give an *invalid* decision; a valid code of a colour not accepted here is a *stop*.
Nothing a scanner can feed in raises: every malformed token becomes an invalid decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final, NamedTuple

from nacl.exceptions import BadSignatureError

from healthcode.credentials.claims import WireClaims, is_jurisdiction, parse_claims
from healthcode.credentials.cose import parse_sign1, sig_structure
from healthcode.credentials.errors import CodeRejected, Reason
from healthcode.credentials.token import decode_token
from healthcode.credentials.truststore import ResolvedKey, TrustStore
from healthcode.kernel.errors import InvalidInput
from healthcode.kernel.facts import Colour

DEFAULT_CLOCK_SKEW: Final = timedelta(seconds=60)


class Outcome(StrEnum):
    """What the checkpoint does: let the person through, stop them, or refuse the code."""

    PASS = "pass"  # noqa: S105 - an outcome, not a password
    STOP = "stop"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class IssuerRule:
    """The colours of one issuer's codes that pass here (maybe none) and the rule saying so,
    as a decision's message names it (e.g. `acceptance rule hangzhou-offices`)."""

    colours: frozenset[Colour]
    rule: str


@dataclass(frozen=True, slots=True)
class Acceptance:
    """A checkpoint's acceptance policy: the issuers it trusts and the colours that pass.

    `by_issuer`: issuers whose codes pass in other colours than `colours` (a foreign
    jurisdiction's, under the checkpoint's policy: `healthcode.checkpoint.acceptance`); an
    issuer in it must also be in `issuers`."""

    issuers: frozenset[str]
    colours: frozenset[Colour] = frozenset({Colour.GREEN})
    by_issuer: Mapping[str, IssuerRule] = field(default_factory=dict)

    def __post_init__(self) -> None:
        issuers = frozenset(self.issuers)
        bad = sorted(map(repr, (i for i in issuers if not is_jurisdiction(i))))
        if bad:
            raise InvalidInput.one("issuers", f"must be GB/T 2260 six-digit codes, not {bad}")
        try:
            colours = frozenset(Colour(c) for c in self.colours)
        except ValueError:
            raise InvalidInput.one("colours", "must be green, yellow or red") from None
        object.__setattr__(self, "issuers", issuers)
        object.__setattr__(self, "colours", colours)
        stray = sorted(set(self.by_issuer) - issuers)
        if stray:
            raise InvalidInput.one("by_issuer", f"names issuers not accepted: {stray}")
        object.__setattr__(self, "by_issuer", dict(self.by_issuer))

    @classmethod
    def green_only(cls, issuers: Iterable[str]) -> Acceptance:
        """Only green codes from `issuers` pass (buses, shops, offices)."""
        return cls(frozenset(issuers), frozenset({Colour.GREEN}))

    @classmethod
    def green_and_yellow(cls, issuers: Iterable[str]) -> Acceptance:
        """Green and yellow codes from `issuers` pass (e.g. hospitals)."""
        return cls(frozenset(issuers), frozenset({Colour.GREEN, Colour.YELLOW}))


class Decision(NamedTuple):
    """The result of verifying one code. Claim fields are set only once the signature held.

    Immutable; a NamedTuple rather than a frozen dataclass because it is built on every scan
    and a frozen dataclass's constructor costs ~3 µs more.
    """

    outcome: Outcome
    reason: Reason
    message: str
    colour: Colour | None = None
    masked_name: str | None = None
    issuer: str | None = None
    subject: str | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    kid: str | None = None
    degraded: bool = False

    @property
    def passed(self) -> bool:
        """True only for a pass; a stop and an invalid code both keep the person out."""
        return self.outcome is Outcome.PASS


def verify(
    token: str,
    *,
    trust_lists: TrustStore,
    at: datetime,
    acceptance: Acceptance,
    max_clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
    max_trust_list_age: timedelta | None = None,
) -> Decision:
    """Verify `token` offline at time `at` (timezone-aware) against held trust lists.

    `max_trust_list_age`: when the trust list holding the key was issued longer ago than this,
    the decision is still made but marked `degraded` (the checkpoint has been offline too long).
    Raises only `ValueError` for a naive `at` (a programming error, not hostile input).
    """
    if at.utcoffset() is None:
        raise ValueError("at must be timezone-aware")
    try:
        protected, kid_bytes, payload, signature = parse_sign1(decode_token(token))
    except CodeRejected as exc:
        return Decision(Outcome.INVALID, exc.reason, exc.message)
    kid = kid_bytes.hex()
    candidates = trust_lists.keys_for(kid_bytes)
    if not candidates:
        return Decision(
            Outcome.INVALID, Reason.UNKNOWN_KID, f"no held trust list has key {kid}", kid=kid
        )
    verified = _verifying_keys(candidates, signature, sig_structure(protected, payload))
    if not verified:
        return Decision(
            Outcome.INVALID,
            Reason.BAD_SIGNATURE,
            f"the signature does not verify under key {kid} of {candidates[0].jurisdiction}",
            kid=kid,
        )
    try:
        claims = parse_claims(payload)
    except CodeRejected as exc:
        return Decision(Outcome.INVALID, exc.reason, exc.message, kid=kid)
    key = verified[0]
    if len(verified) > 1:  # another jurisdiction lists the same key: the issuer's entry decides
        key = next((k for k in verified if k.jurisdiction == claims.issuer), key)
    max_age = None if max_trust_list_age is None else max_trust_list_age.total_seconds()
    return _judge(
        claims, key, kid, at.timestamp(), max_clock_skew.total_seconds(), acceptance, max_age
    )


def _verifying_keys(
    candidates: tuple[ResolvedKey, ...], signature: bytes, to_be_signed: bytes
) -> tuple[ResolvedKey, ...]:
    """The candidates under which the signature verifies (usually the one candidate)."""
    if len(candidates) == 1:
        try:
            candidates[0].verify_key.verify(to_be_signed, signature)
        except BadSignatureError:
            return ()
        return candidates
    verified = []
    for candidate in candidates:  # more than one only when two lists name the same kid
        try:
            candidate.verify_key.verify(to_be_signed, signature)
        except BadSignatureError:
            continue
        verified.append(candidate)
    return tuple(verified)


def _judge(  # positional on purpose: this runs on every scan
    claims: WireClaims,
    key: ResolvedKey,
    kid: str,
    at: float,
    skew: float,
    acceptance: Acceptance,
    max_age: float | None,
) -> Decision:
    issuer, subject, iat, exp, colour, masked_name = claims
    outcome, reason = Outcome.INVALID, Reason.OK
    if issuer != key.jurisdiction:
        reason = Reason.WRONG_ISSUER
        text = f"claims issuer {issuer} but key {kid} is {key.jurisdiction}'s"
    elif not key.valid_from <= iat < key.valid_until:
        reason = Reason.KEY_NOT_VALID
        text = (
            f"issued {_when(iat)}, outside the signing period of key {kid} "
            f"({_when(key.valid_from)} to {_when(key.valid_until)})"
        )
    elif key.max_lifetime is not None and exp - iat > key.max_lifetime:
        reason = Reason.LIFETIME_TOO_LONG
        text = (
            f"lives {exp - iat} s; the trust list of {key.jurisdiction} allows its codes "
            f"at most {key.max_lifetime} s"
        )
    elif iat > at + skew:
        reason = Reason.NOT_YET_VALID
        text = f"issued {_when(iat)}, {iat - at:.0f} s ahead of this checkpoint's clock"
    elif at >= exp + skew:
        reason = Reason.EXPIRED
        text = f"expired {_when(exp)}, {at - exp:.0f} s ago"
    elif key.list_expires_at is not None and at >= key.list_expires_at + skew:
        reason = Reason.TRUST_LIST_EXPIRED
        text = f"the trust list of {key.jurisdiction} expired {_when(key.list_expires_at)}"
    elif issuer not in acceptance.issuers:
        reason = Reason.ISSUER_NOT_TRUSTED
        text = f"codes issued by {issuer} are not accepted here"
    else:
        outcome, reason, text = _colour_here(colour, issuer, acceptance)
    degraded = max_age is not None and at - key.list_issued_at > max_age
    if degraded:
        text += f" (offline: trust list of {key.jurisdiction} is older than allowed)"
    return Decision(
        outcome,
        reason,
        text,
        colour,
        masked_name,
        issuer,
        subject,
        datetime.fromtimestamp(iat, UTC),
        datetime.fromtimestamp(exp, UTC),
        kid,
        degraded,
    )


_PASS_TEXT: Final = {colour: f"{colour.value} code: pass" for colour in Colour}


def _colour_here(
    colour: Colour, issuer: str, acceptance: Acceptance
) -> tuple[Outcome, Reason, str]:
    """The decision on a valid code of an accepted issuer: by its colour, under the issuer's
    own rule when the acceptance has one."""
    rule = acceptance.by_issuer.get(issuer) if acceptance.by_issuer else None
    if rule is None:
        if colour in acceptance.colours:
            return Outcome.PASS, Reason.OK, _PASS_TEXT[colour]
        text = f"{colour.value} code: only {_colours(acceptance.colours)} pass here"
        return Outcome.STOP, Reason.COLOUR_NOT_ACCEPTED, text
    if colour in rule.colours:
        return Outcome.PASS, Reason.OK, f"{colour.value} code of {issuer}: pass ({rule.rule})"
    only = f"only {_colours(rule.colours)} pass here" if rule.colours else "not admitted here"
    text = f"{colour.value} code of {issuer}: {only} ({rule.rule})"
    return Outcome.STOP, Reason.COLOUR_NOT_ACCEPTED, text


def _when(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _colours(colours: frozenset[Colour]) -> str:
    order = [c.value for c in Colour if c in colours]
    return " and ".join(order) if order else "no colour"
