"""Administration of identity: officials' accounts and channels (admins), and reading a person's
masked registration (for epidemic control, audited)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, status

from healthcode.api.auth import Authorized
from healthcode.api.deps import ContainerDep
from healthcode.api.responses import CONFLICT
from healthcode.api.types import Identifier
from healthcode.identity.account_proposals import list_account_proposals
from healthcode.identity.channels import add_channel, list_channels, rotate_channel_secrets
from healthcode.identity.kinds import CREATE_OFFICIAL
from healthcode.identity.officials import list_officials
from healthcode.identity.profile import show_profile
from healthcode.identity.routes.citizens import profile_out
from healthcode.identity.schemas import (
    ChannelIn,
    ChannelOut,
    NewChannelOut,
    OfficialIn,
    OfficialOut,
    ProfileOut,
    RotatedSecretsOut,
)
from healthcode.kernel.errors import Conflict, InvalidInput
from healthcode.oversight import proposals
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.model import ProposalStatus
from healthcode.oversight.schemas import ProposalOut

router = APIRouter(prefix="/api/v1", tags=["officials"])


ManagesOfficials = Annotated[Principal, Depends(Authorized(Action.MANAGE_OFFICIALS))]


ManagesChannels = Annotated[Principal, Depends(Authorized(Action.MANAGE_CHANNELS))]


ReadsPeople = Annotated[Principal, Depends(Authorized(Action.READ_PERSON))]


@router.post(
    "/officials",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ProposalOut,
    responses=CONFLICT,
)
def create_official(
    body: OfficialIn, admin: ManagesOfficials, container: ContainerDep
) -> ProposalOut:
    """Propose an official's account (admins): another admin approves it
    (`POST /proposals/{id}/approve`) and gets its TOTP provisioning URI once. Only the
    password's hash is kept with the proposal, and never shown."""
    account = body.model_dump(exclude={"reason"})
    try:
        proposal = proposals.propose(
            uow=container.uow(),
            clock=container.clock,
            kinds=container.proposal_kinds,
            principal=admin,
            action=CREATE_OFFICIAL,
            payload=account,
            reason=body.reason,
        )
    except InvalidInput as refused:  # named as in this body, not as in the proposal's payload
        problems = [replace(p, field=_body_field(p.field)) for p in refused.problems]
        raise InvalidInput(problems) from None
    except Conflict as clash:
        raise Conflict(_body_field(clash.field), clash.message) from None
    return ProposalOut.of(proposal)


def _body_field(field: str) -> str:
    return field.removeprefix("payload.")


@router.get("/officials", response_model=list[OfficialOut])
def get_officials(admin: ManagesOfficials, container: ContainerDep) -> list[OfficialOut]:
    """The accounts within the admin's jurisdiction, by username (no secrets). Role and scope
    changes, TOTP resets, disabling and re-enabling are proposals: `POST /proposals` with the
    action `change_official`, `reset_totp`, `disable_official` or `enable_official`."""
    return [
        OfficialOut(
            username=o.username,
            role=o.role,
            jurisdiction=o.jurisdiction,
            district=o.district,
            active=o.active,
            sponsored_by=o.sponsored_by,
            created_at=o.created_at,
        )
        for o in list_officials(uow=container.uow(), principal=admin)
    ]


@router.get("/officials/proposals", response_model=list[ProposalOut])
def get_account_proposals(
    admin: ManagesOfficials, container: ContainerDep, status: ProposalStatus | None = None
) -> list[ProposalOut]:
    """Proposals about officials' accounts in the admin's jurisdiction, oldest first (filter
    by `status`); approve or reject them with `POST /proposals/{id}/approve` or `/reject`."""
    found = list_account_proposals(uow=container.uow(), principal=admin, status=status)
    return [ProposalOut.of(p) for p in found]


@router.post(
    "/channels",
    status_code=status.HTTP_201_CREATED,
    response_model=NewChannelOut,
    responses=CONFLICT,
)
def create_channel(
    body: ChannelIn, admin: ManagesChannels, container: ContainerDep
) -> NewChannelOut:
    """Register a channel (admins): its client id and secrets are shown once."""
    created = add_channel(
        uow=container.uow(), clock=container.clock, principal=admin, **body.model_dump()
    )
    return NewChannelOut(
        client_id=created.id,
        client_secret=created.client_secret,
        webhook_secret=created.webhook_secret,
        name=created.name,
        kind=created.kind,
        webhook_url=created.webhook_url,
    )


@router.get("/channels", response_model=list[ChannelOut])
def get_channels(admin: ManagesChannels, container: ContainerDep) -> list[ChannelOut]:
    """The registered channels (admins), without secrets: when they were last rotated."""
    return [
        ChannelOut(
            client_id=c.id,
            name=c.name,
            kind=c.kind,
            webhook_url=c.webhook_url,
            active=c.active,
            created_at=c.created_at,
            secrets_rotated_at=c.secrets_rotated_at,
        )
        for c in list_channels(uow=container.uow(), principal=admin)
    ]


@router.post("/channels/{client_id}/rotate-secrets", response_model=RotatedSecretsOut)
def rotate_secrets(
    client_id: Identifier, admin: ManagesChannels, container: ContainerDep
) -> RotatedSecretsOut:
    """New client and webhook secrets for the channel (admins), shown once: the old client
    secret and every access token issued with it stop working at once; webhooks are signed
    with the new secret from the next delivery on."""
    rotated = rotate_channel_secrets(
        uow=container.uow(), clock=container.clock, principal=admin, client_id=client_id
    )
    return RotatedSecretsOut(
        client_id=rotated.client_id,
        client_secret=rotated.client_secret,
        webhook_secret=rotated.webhook_secret,
        rotated_at=rotated.rotated_at,
        tokens_revoked=rotated.tokens_revoked,
    )


@router.get("/people/{subject}", response_model=ProfileOut)
def read_person(subject: Identifier, official: ReadsPeople, container: ContainerDep) -> ProfileOut:
    """A person's registration, masked, for epidemic control; the read is audited and the
    person sees it in their access log."""
    profile = show_profile(
        uow=container.uow(), clock=container.clock, principal=official, subject=subject
    )
    return profile_out(profile)
