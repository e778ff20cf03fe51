"""Venues and checkpoints: organisations, venues and their place-code posters, devices (admins);
signed scan uploads and staff checks (devices); flagged check-ins (officials)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Response, status

from healthcode.api.auth import Authorized, Public
from healthcode.api.deps import ContainerDep
from healthcode.api.responses import CONFLICT, SIGNED
from healthcode.api.types import Identifier
from healthcode.kernel.errors import InvalidInput
from healthcode.oversight.access import Action, Principal
from healthcode.presence.checkins import flagged_checkins, review_checkin
from healthcode.presence.employers import check_staff, list_staff_member
from healthcode.presence.model import Venue
from healthcode.presence.posters import PosterContent, poster_pdf, poster_svg
from healthcode.presence.scans import upload_scans
from healthcode.presence.schemas import (
    CheckinOut,
    DeviceIn,
    DeviceOut,
    OrganisationIn,
    OrganisationOut,
    RevokedDeviceOut,
    ScanReceiptOut,
    StaffCheckOut,
    StaffIn,
    StaffMemberOut,
    VenueIn,
    VenueOut,
)
from healthcode.presence.venues import (
    VenueDetails,
    add_organisation,
    add_venue,
    entry_rule,
    get_venue,
    list_organisations,
    list_venues,
    register_device,
    revoke_device,
)

router = APIRouter(prefix="/api/v1", tags=["venues and checkpoints"])

ManagesVenues = Annotated[Principal, Depends(Authorized(Action.MANAGE_VENUES))]
ReviewsCheckins = Annotated[Principal, Depends(Authorized(Action.REVIEW_CHECKINS))]


def _venue_out(container: ContainerDep, venue: Venue) -> VenueOut:
    colours = entry_rule(uow=container.uow(), jurisdiction=venue.jurisdiction, kind=venue.kind)
    return VenueOut(
        id=venue.id,
        name_zh=venue.name_zh,
        name_en=venue.name_en,
        kind=venue.kind.value,
        lat=venue.lat,
        lon=venue.lon,
        cell=venue.cell,
        organisation=venue.organisation_id,
        jurisdiction=venue.jurisdiction,
        place_code=venue.place_code,
        code_issued_at=venue.code_issued_at,
        entry_colours=sorted(c.value for c in colours),
    )


@router.post("/organisations", status_code=status.HTTP_201_CREATED, response_model=OrganisationOut)
def create_organisation(
    body: OrganisationIn, _admin: ManagesVenues, container: ContainerDep
) -> OrganisationOut:
    """Register an organisation that operates venues or employs staff."""
    org = add_organisation(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        name=body.name,
    )
    return OrganisationOut(**vars(org))


@router.get("/organisations", response_model=list[OrganisationOut])
def get_organisations(_admin: ManagesVenues, container: ContainerDep) -> list[OrganisationOut]:
    """The organisations of this jurisdiction."""
    found = list_organisations(uow=container.uow(), jurisdiction=container.settings.jurisdiction)
    return [OrganisationOut(**vars(o)) for o in found]


@router.post(
    "/organisations/{organisation_id}/staff",
    status_code=status.HTTP_201_CREATED,
    response_model=StaffMemberOut,
)
def add_staff(
    organisation_id: Identifier, body: StaffIn, _admin: ManagesVenues, container: ContainerDep
) -> StaffMemberOut:
    """List a person as the organisation's staff. Nothing is shared with the organisation
    until the person consents (``POST /api/v1/me/employers/{organisation_id}``)."""
    member = list_staff_member(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        organisation_id=organisation_id,
        subject=body.subject,
    )
    return StaffMemberOut.of(member)


@router.post(
    "/venues",
    status_code=status.HTTP_201_CREATED,
    response_model=VenueOut,
    responses={**CONFLICT, **SIGNED},
)
def create_venue(body: VenueIn, _admin: ManagesVenues, container: ContainerDep) -> VenueOut:
    """Register a venue; its signed place code is issued at once."""
    venue = add_venue(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction=container.settings.jurisdiction,
        details=VenueDetails(
            organisation_id=body.organisation,
            name_zh=body.name_zh,
            name_en=body.name_en,
            kind=body.kind,
            lat=body.lat,
            lon=body.lon,
        ),
    )
    return _venue_out(container, venue)


@router.get("/venues", response_model=list[VenueOut])
def get_venues(_admin: ManagesVenues, container: ContainerDep) -> list[VenueOut]:
    """The venues of this jurisdiction with their place codes and entry rules."""
    venues = list_venues(uow=container.uow(), jurisdiction=container.settings.jurisdiction)
    return [_venue_out(container, v) for v in venues]


@router.get(
    "/venues/{venue_id}/poster.svg",
    response_class=Response,
    responses={
        200: {
            "content": {"image/svg+xml": {"schema": {"type": "string"}}},
            "description": "The poster (SVG)",
        }
    },
)
def venue_poster_svg(
    venue_id: Identifier, _admin: ManagesVenues, container: ContainerDep
) -> Response:
    """The venue's place-code poster as SVG (name in Chinese and English)."""
    return Response(poster_svg(_poster(container, venue_id)), media_type="image/svg+xml")


@router.get(
    "/venues/{venue_id}/poster.pdf",
    response_class=Response,
    responses={
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The poster (A4 PDF)",
        }
    },
)
def venue_poster_pdf(
    venue_id: Identifier, _admin: ManagesVenues, container: ContainerDep
) -> Response:
    """The venue's place-code poster as an A4 PDF."""
    return Response(poster_pdf(_poster(container, venue_id)), media_type="application/pdf")


def _poster(container: ContainerDep, venue_id: str) -> PosterContent:
    venue = get_venue(uow=container.uow(), venue_id=venue_id)
    return PosterContent(
        name_zh=venue.name_zh,
        name_en=venue.name_en,
        kind=venue.kind.value,
        venue_id=venue.id,
        place_code=venue.place_code,
    )


def public_key_from_text(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise InvalidInput.one("public_key", "must be 32 bytes in base64url")
    return raw


@router.post("/devices/{device_id}/revoke", response_model=RevokedDeviceOut, responses=CONFLICT)
def revoke_checkpoint_device(
    device_id: Identifier, admin: ManagesVenues, container: ContainerDep
) -> RevokedDeviceOut:
    """Revoke a checkpoint device (admins; a lost or stolen one): its later scan batches,
    status lookups and staff checks are refused (422), the scans it uploaded before are kept.
    409 when it was revoked already."""
    device = revoke_device(
        uow=container.uow(), clock=container.clock, principal=admin, device_id=device_id
    )
    return RevokedDeviceOut(
        device=device.id,
        venue=device.venue_id,
        active=device.active,
        revoked_at=device.revoked_at,
    )


@router.post(
    "/venues/{venue_id}/devices",
    status_code=status.HTTP_201_CREATED,
    response_model=DeviceOut,
    responses=CONFLICT,
)
def create_device(
    venue_id: Identifier, body: DeviceIn, _admin: ManagesVenues, container: ContainerDep
) -> DeviceOut:
    """Register a checkpoint device of the venue by its Ed25519 public key."""
    device = register_device(
        uow=container.uow(),
        clock=container.clock,
        venue_id=venue_id,
        public_key=public_key_from_text(body.public_key),
        serving=container.settings.jurisdiction,
    )
    venue = _venue_out(container, get_venue(uow=container.uow(), venue_id=venue_id))
    return DeviceOut(
        device=device.id,
        venue=venue.id,
        kind=venue.kind,
        jurisdiction=venue.jurisdiction,
        entry_colours=venue.entry_colours,
        registered_at=device.registered_at,
    )


@router.post(
    "/scans/batches",
    response_model=ScanReceiptOut,
    dependencies=[Depends(Public(Action.UPLOAD_SCANS))],
)
def upload_scan_batch(
    container: ContainerDep, body: Annotated[dict[str, Any], Body()]
) -> ScanReceiptOut:
    """A device's signed batch of scans (format in ``healthcode.checkpoint.batches``).

    All or nothing: any bad item refuses the whole batch (422, each problem named as
    ``scans[17].at``) and nothing is stored. A batch or scan sent again is stored once; the
    receipt counts what was new (``stored``) and what was held already (``duplicates``).
    The answer comes after the batch is committed."""
    receipt = upload_scans(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        batch=body,
    )
    return ScanReceiptOut.of(receipt)


@router.post(
    "/staff-checks",
    response_model=StaffCheckOut,
    dependencies=[Depends(Public(Action.CHECK_STAFF))],
)
def staff_check(container: ContainerDep, body: Annotated[dict[str, Any], Body()]) -> StaffCheckOut:
    """A gate device of an organisation asks pass or stop for its staff (signed by the device
    key). Consenting staff get ``pass`` or ``stop``; anyone else ``not_listed``."""
    answers = check_staff(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=container.settings.jurisdiction,
        request=body,
    )
    return StaffCheckOut(answers=answers)


@router.get("/checkins/flagged", response_model=list[CheckinOut])
def get_flagged_checkins(official: ReviewsCheckins, container: ContainerDep) -> list[CheckinOut]:
    """Check-ins waiting for review (far from their venue) of the caller's jurisdiction and
    district; each person shown is recorded in the access log."""
    found = flagged_checkins(uow=container.uow(), clock=container.clock, principal=official)
    return [CheckinOut.of(c) for c in found]


@router.post("/checkins/{checkin_id}/confirm", response_model=CheckinOut)
def confirm_checkin(
    checkin_id: Identifier, official: ReviewsCheckins, container: ContainerDep
) -> CheckinOut:
    """Confirm a flagged check-in: from now on it is a presence that tracing reads."""
    return CheckinOut.of(
        review_checkin(
            uow=container.uow(),
            clock=container.clock,
            principal=official,
            checkin_id=checkin_id,
            confirm=True,
        )
    )


@router.post("/checkins/{checkin_id}/reject", response_model=CheckinOut)
def reject_checkin(
    checkin_id: Identifier, official: ReviewsCheckins, container: ContainerDep
) -> CheckinOut:
    """Reject a flagged check-in: it never becomes a presence."""
    return CheckinOut.of(
        review_checkin(
            uow=container.uow(),
            clock=container.clock,
            principal=official,
            checkin_id=checkin_id,
            confirm=False,
        )
    )
