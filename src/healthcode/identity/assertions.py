"""Signed identity assertions: how a channel acts for one of its users.

An assertion is a JWT signed with the channel's key (EdDSA/Ed25519 or ES256/P-256) with
``iss`` = the channel's client id, ``aud`` = this service, ``sub`` = the channel's own user id,
``iat``, ``exp`` (after ``iat``, at most ``MAX_LIFETIME`` later; both from 2000 to 2100), a
unique ``jti`` (each is accepted once) and ``face_checked_at`` (NumericDate of the channel's
last face check of that user, optional). To confirm a website sign-up (``identity.claims``)
the channel also vouches for the ID its face check matched: ``id_type`` (default
``resident``) and ``id_number``, optional otherwise.
Times are checked against the service's clock, with ``CLOCK_SKEW`` allowed either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from healthcode.identity.model import Channel
from healthcode.identity.ports import IdentityUnitOfWork
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput, NotAuthenticated
from healthcode.kernel.facts import FactKind, IdentityCheck
from healthcode.kernel.ids import new_id
from healthcode.kernel.text import is_clean_line
from healthcode.kernel.times import RANGE_RULE, from_timestamp
from healthcode.status.assessment import record_fact

MAX_LIFETIME = timedelta(minutes=10)
CLOCK_SKEW = timedelta(seconds=60)
REQUIRED_CLAIMS = ("iss", "aud", "sub", "iat", "exp", "jti")
SERVICE_AUDIENCE_PREFIX = "urn:healthcode:"
MAX_CLAIM_TEXT = 128  # the stored channel user id and jti


def service_audience(jurisdiction: str) -> str:
    """The ``aud`` an assertion must carry to be accepted by this jurisdiction's service."""
    return f"{SERVICE_AUDIENCE_PREFIX}{jurisdiction}"


def algorithm_for(public_key_pem: str) -> str:
    """The JWS algorithm a channel's key signs with; refuses any other kind of key."""
    try:
        key = load_pem_public_key(public_key_pem.encode())
    except (ValueError, TypeError):
        raise InvalidInput.one("public_key", "is not a PEM public key") from None
    if isinstance(key, Ed25519PublicKey):
        return "EdDSA"
    if isinstance(key, EllipticCurvePublicKey) and isinstance(key.curve, SECP256R1):
        return "ES256"
    raise InvalidInput.one("public_key", "must be an Ed25519 or P-256 (ES256) key")


@dataclass(frozen=True, kw_only=True)
class AssertionClaims:
    channel_id: str
    channel_user_id: str
    jti: str
    issued_at: datetime
    expires_at: datetime
    face_checked_at: datetime | None
    id_type: str | None = None
    id_number: str | None = None


def _time(claims: dict[str, Any], name: str) -> datetime:
    value = claims.get(name)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise NotAuthenticated(f"assertion claim {name} must be a NumericDate")
    moment = from_timestamp(value)
    if moment is None:  # 1e300, NaN or infinity: no time at all
        raise NotAuthenticated(f"assertion claim {name} {RANGE_RULE}")
    return moment


def verify_assertion(
    uow: IdentityUnitOfWork, *, clock: Clock, channel: Channel, assertion: str, audience: str
) -> AssertionClaims:
    """Check an assertion from ``channel`` inside the caller's transaction and consume its jti.

    Raises ``NotAuthenticated`` naming what is wrong: signature, issuer, audience, times,
    or a replayed ``jti``."""
    now = clock.now()
    claims = _decode(channel, assertion, audience)
    issued_at, expires_at = _time(claims, "iat"), _time(claims, "exp")
    if expires_at <= now - CLOCK_SKEW:
        raise NotAuthenticated("assertion has expired")
    if issued_at > now + CLOCK_SKEW:
        raise NotAuthenticated("assertion is issued in the future")
    if expires_at <= issued_at:
        raise NotAuthenticated("assertion claim exp must be after its iat")
    if expires_at - issued_at > MAX_LIFETIME:
        raise NotAuthenticated(f"assertion lives longer than {MAX_LIFETIME}")
    face_checked_at = _time(claims, "face_checked_at") if "face_checked_at" in claims else None
    if face_checked_at is not None and face_checked_at > now + CLOCK_SKEW:
        raise NotAuthenticated("face_checked_at is in the future")
    subject, jti = claims["sub"], claims["jti"]
    if not all(
        isinstance(text, str) and 0 < len(text) <= MAX_CLAIM_TEXT and is_clean_line(text)
        for text in (subject, jti)
    ):
        raise NotAuthenticated(
            f"assertion sub and jti must be 1 to {MAX_CLAIM_TEXT} printable characters"
        )
    id_type, id_number = _identity(claims)
    uow.channels.forget_assertions(before=now - CLOCK_SKEW)
    if not uow.channels.remember_assertion(
        issuer=channel.id, jti=jti, expires_at=expires_at + CLOCK_SKEW
    ):
        raise NotAuthenticated("assertion was already used (replay)")
    return AssertionClaims(
        channel_id=channel.id,
        channel_user_id=subject,
        jti=jti,
        issued_at=issued_at,
        expires_at=expires_at,
        face_checked_at=face_checked_at,
        id_type=id_type,
        id_number=id_number,
    )


def verify_channel_assertion(
    uow: IdentityUnitOfWork, *, clock: Clock, channel_id: str, assertion: str, jurisdiction: str
) -> tuple[Channel, AssertionClaims]:
    """The active channel ``channel_id`` and its assertion to this jurisdiction's service,
    checked inside the caller's transaction (``verify_assertion``); ``NotAuthenticated`` for an
    unknown or disabled channel."""
    channel = uow.channels.get(channel_id)
    if channel is None or not channel.active:
        raise NotAuthenticated("unknown channel")
    claims = verify_assertion(
        uow,
        clock=clock,
        channel=channel,
        assertion=assertion,
        audience=service_audience(jurisdiction),
    )
    return channel, claims


def _identity(claims: dict[str, Any]) -> tuple[str | None, str | None]:
    """The ID the channel vouches for (``id_type``, ``id_number``), when it names one."""
    if "id_number" not in claims:
        return None, None
    id_type, id_number = claims.get("id_type", "resident"), claims["id_number"]
    if not all(
        isinstance(text, str) and 0 < len(text) <= MAX_CLAIM_TEXT and is_clean_line(text)
        for text in (id_type, id_number)
    ):
        raise NotAuthenticated(
            f"assertion id_type and id_number must be 1 to {MAX_CLAIM_TEXT} printable characters"
        )
    return id_type, id_number


def _decode(channel: Channel, assertion: str, audience: str) -> dict[str, Any]:
    """The claims of an assertion whose signature, issuer and audience hold (times are the
    caller's to check, against the service's clock)."""
    algorithm = algorithm_for(channel.public_key_pem)
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion,
            key=load_pem_public_key(channel.public_key_pem.encode()),  # type: ignore[arg-type]
            algorithms=[algorithm],
            audience=audience,
            issuer=channel.id,
            options={
                "require": list(REQUIRED_CLAIMS),
                "verify_exp": False,  # checked below against the service's clock
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.InvalidAudienceError:
        raise NotAuthenticated("assertion is for another audience") from None
    except jwt.InvalidIssuerError:
        raise NotAuthenticated("assertion was not issued by this channel") from None
    except jwt.InvalidSignatureError:
        raise NotAuthenticated("assertion signature is not valid") from None
    except jwt.PyJWTError as error:
        raise NotAuthenticated(f"assertion is not valid: {error}") from None
    return claims


def note_face_check(
    uow: IdentityUnitOfWork, *, clock: Clock, subject: str, claims: AssertionClaims
) -> IdentityCheck | None:
    """Record a face check newer than the person's newest one, and reassess their status
    (a fresh check clears the weekly re-verification notice at once)."""
    if claims.face_checked_at is None:
        return None
    newest = max(
        (f.at for f in uow.facts.for_subject(subject, kinds=(FactKind.IDENTITY_CHECK,))),
        default=None,
    )
    if newest is not None and claims.face_checked_at <= newest:
        return None
    fact = IdentityCheck(
        id=new_id(),
        subject=subject,
        at=claims.face_checked_at,
        recorded_at=clock.now(),
        channel=claims.channel_id,
        method="face",
    )
    record_fact(uow, clock=clock, fact=fact)
    return fact
