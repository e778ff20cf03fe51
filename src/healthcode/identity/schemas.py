"""Request and response bodies for registration, profiles, logins, channels and officials."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from healthcode.api.types import Identifier, Line, Name, Secret, Text, Token
from healthcode.identity.registration import Register


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    id_type: Identifier = "resident"
    id_number: Identifier
    phone: Identifier
    address: Line
    consent_location: bool = False
    district: Identifier | None = Field(
        default=None, description="GB/T 2260 code of the home district (officials' scope)"
    )

    def command(self) -> Register:
        """What the person registers with, for the registration use cases."""
        return Register(
            name=self.name,
            id_type=self.id_type,
            id_number=self.id_number,
            phone=self.phone,
            address=self.address,
            consent_location=self.consent_location,
            district=self.district,
        )


class ProfileOut(BaseModel):
    subject: str
    jurisdiction: str
    id_type: str
    name: str
    id_number: str
    phone: str
    registered_at: datetime
    location_consent: bool
    identity: str = Field(description="verified, unverified (a website claim) or taken_back")


class ChannelRegistrationIn(RegistrationIn):
    assertion: Token = Field(
        description="The channel's signed assertion for its user (JWT): `sub` is the "
        "channel's user id, bound to the new subject"
    )


class RegisteredOut(BaseModel):
    subject: str
    profile: ProfileOut


class SignUpStartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: Identifier = Field(description="Where the sign-up code is sent by SMS")


class SignUpIn(RegistrationIn):
    password: Secret = Field(description="At least 10 characters")
    code: Identifier = Field(description="The six digits sent by SMS to `phone`")


class AcceptedOut(BaseModel):
    """The one answer of both sign-up steps, whatever is registered: what to do next."""

    status: str = "accepted"
    detail: str


class IdentityConfirmationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: Identifier = Field(
        description="The phone of the website account to confirm (when the channel's user is "
        "not bound yet)"
    )
    assertion: Token = Field(
        description="The channel's signed assertion for its user (JWT) with a face check in "
        "the last 15 minutes (`face_checked_at`) and the ID it matched (`id_type`, "
        "`id_number`)"
    )


class IdentityConfirmedOut(BaseModel):
    subject: str
    identity: str


class CitizenLoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: Identifier
    password: Secret


class ChannelLoginIn(BaseModel):
    """A channel's assertion for one of its users, to open the website for them."""

    model_config = ConfigDict(extra="forbid")

    assertion: Token = Field(
        description="The channel's signed, single-use assertion for its user (JWT; `iss` is "
        "the channel's client id, `sub` its user, bound to a person)"
    )


class OfficialLoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Identifier
    password: Secret
    totp: Identifier = Field(
        description="The current one-time code of the official's authenticator"
    )


class SessionOut(BaseModel):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the token type, not a password
    expires_at: datetime
    role: str


class TokenOut(BaseModel):
    """RFC 6749 §5.1 access token response."""

    access_token: str
    token_type: str
    expires_in: int


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: Identifier = "app"
    public_key_pem: Text = Field(description="Ed25519 or P-256 public key (PEM)")
    webhook_url: Line


class NewChannelOut(BaseModel):
    client_id: str
    client_secret: str = Field(description="Shown once")
    webhook_secret: str = Field(description="Shown once: webhooks are signed with it")
    name: str
    kind: str
    webhook_url: str


class ChannelOut(BaseModel):
    """A channel without its secrets: only when they were last rotated (null: never)."""

    client_id: str
    name: str
    kind: str
    webhook_url: str
    active: bool
    created_at: datetime
    secrets_rotated_at: datetime | None = None


class RotatedSecretsOut(BaseModel):
    """A channel's new secrets, shown once; the access tokens issued before were revoked."""

    client_id: str
    client_secret: str
    webhook_secret: str
    rotated_at: datetime
    tokens_revoked: int


class OfficialIn(BaseModel):
    """A proposed account: the approving admin gets its TOTP URI; only the password's hash is
    kept, and never shown."""

    model_config = ConfigDict(extra="forbid")

    username: Identifier
    role: Identifier
    jurisdiction: Identifier
    district: Identifier | None = None
    password: Secret
    reason: Text = Field(description="Why the account is needed: the approving admin reads it")


class OfficialOut(BaseModel):
    """An official's account as admins list it (no secret)."""

    username: str
    role: str
    jurisdiction: str
    district: str | None
    active: bool
    sponsored_by: str | None = Field(
        description="The admin who proposed the account or its last change of role or scope"
    )
    created_at: datetime
