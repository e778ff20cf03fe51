"""Bodies for a citizen's own code, the published trust list and online verification."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from healthcode.api.types import IsoDateTime, RequestTime, Token
from healthcode.codes.online import OnlineCheck
from healthcode.credentials.errors import Reason
from healthcode.credentials.verify import Outcome
from healthcode.presence.venue_kinds import VenueKind

ColourName = Literal["green", "yellow", "red"]


class CodeOut(BaseModel):
    """A freshly signed code with the caller's colour and masked name: the client draws the
    token as a QR code (``qr_version`` tells its size); ``?qr=svg`` adds the server's SVG."""

    token: str
    colour: str
    masked_name: str
    issuer: str
    issued_at: datetime
    expires_at: datetime
    qr_version: int = Field(
        description="The QR version the token needs (alphanumeric mode, level M): "
        "17 + 4 x version modules wide"
    )
    qr_svg: str | None = Field(
        default=None,
        description="The token as a QR code (SVG, alphanumeric mode, level M): only when "
        "asked with ?qr=svg (else null)",
    )


class DeviceSignatureIn(BaseModel):
    """A registered checkpoint device's signature over its lookup (see
    docs/codes-and-trust-lists.md, "Signed status lookup")."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(
        pattern="^[0-9a-f]{16}$", description="The device id: its key's id, 16 lowercase hex"
    )
    at: RequestTime = Field(description="When the device asks: within five minutes of the server")
    signature: str = Field(
        max_length=128,
        description='Ed25519 over CBOR ["healthcode status lookup v1", id, at ms, token], '
        "base64url (64 bytes)",
    )


class VerifyIn(BaseModel):
    """A code to verify online and the colours that pass at this checkpoint; a registered
    device that signs the request also learns whether the holder's status changed."""

    model_config = ConfigDict(extra="forbid")

    token: Token
    colours: list[ColourName] = Field(
        default_factory=lambda: ["green"],  # type: ignore[arg-type, unused-ignore]
        description="Colours that pass at this checkpoint",
    )
    kind: VenueKind | None = Field(
        default=None,
        description="The kind of venue the checkpoint stands at: the code is then decided by "
        "this jurisdiction's active policy (its entry colours for that kind, and its acceptance "
        "rules for other jurisdictions' codes, the message naming the rule) and `colours` is "
        "not used; left out: every held jurisdiction's codes pass in `colours`",
    )
    device: DeviceSignatureIn | None = Field(
        default=None,
        description="A checkpoint device's signature: without it only the offline decision "
        "is answered (current_colour and status_changed null)",
    )


class TrustedKeyOut(BaseModel):
    """A code-signing key in a trust list, with its validity period."""

    kid: str = Field(description="16 hex digits")
    public_key: str = Field(description="Ed25519 public key, base64url (32 bytes)")
    valid_from: datetime
    valid_until: datetime


class TrustListOut(BaseModel):
    """A jurisdiction's signed trust list (documents the published file; its bytes are served
    as signed, never rebuilt from this model)."""

    format: Literal["healthcode-trust-list/3"] = Field(
        description="The service publishes only /3 (an older publication is replaced at the "
        "next request); a verifier still reads /2 and /1 files"
    )
    jurisdiction: str
    sequence: int
    issued_at: datetime
    root_kid: str = Field(description="16 hex digits")
    max_code_lifetime: int = Field(
        description="The longest lifetime of a code under these keys, in seconds: a verifier "
        "refuses a code whose exp - iat is longer (lifetime_too_long)"
    )
    expires_at: datetime = Field(
        description="When the list stops being trusted; it is published anew, with the next "
        "sequence number, once half its life has passed"
    )
    next_root_public_key: str | None = Field(
        default=None,
        description="Only while a root rotation is announced: the next root's raw 32-byte "
        "public key, base64url; its later lists are accepted by checkpoints holding this one",
    )
    keys: list[TrustedKeyOut]
    signature: str = Field(
        description="The root key's signature over the list's deterministic CBOR, base64url"
    )


class VerifyOut(BaseModel):
    """An online verification: the checkpoint's decision on the code; for a refused code only
    its reason (no colour, no name); for a device-signed lookup of a valid code, also whether
    the holder's status changed since it was issued."""

    outcome: Outcome
    reason: Reason
    message: str
    colour: ColourName | None = Field(
        description="The colour the code shows (null: the code is refused)"
    )
    masked_name: str | None
    issuer: str | None
    issued_at: IsoDateTime | None
    expires_at: IsoDateTime | None
    current_colour: ColourName | None = Field(
        description="The holder's colour now: only for a device-signed lookup of a valid code "
        "of this jurisdiction (else null)"
    )
    status_changed: bool | None = Field(
        description="Whether the colour now differs from the code's: only for a device-signed "
        "lookup of a valid code of this jurisdiction (else null)"
    )

    @classmethod
    def of(cls, check: OnlineCheck) -> VerifyOut:
        decision = check.decision
        return cls(
            outcome=decision.outcome,
            reason=decision.reason,
            message=decision.message,
            colour=None if decision.colour is None else decision.colour.value,
            masked_name=decision.masked_name,
            issuer=decision.issuer,
            issued_at=decision.issued_at,
            expires_at=decision.expires_at,
            current_colour=check.current_colour,
            status_changed=check.status_changed,
        )
