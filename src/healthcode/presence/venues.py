"""Organisations, venues (with their signed place codes) and checkpoint devices."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from healthcode.codes.keys import signing_key_now
from healthcode.codes.ports import PrivateKeyStore
from healthcode.credentials.cose import kid_of
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import Conflict, InvalidInput, NotFound, Problem
from healthcode.kernel.facts import Colour
from healthcode.kernel.ids import new_id
from healthcode.kernel.regions import contains
from healthcode.kernel.text import TextKind, clean_text
from healthcode.oversight.access import Action, Principal
from healthcode.oversight.authz import require, require_scope
from healthcode.policy.model import Policy
from healthcode.presence.cells import cell_of
from healthcode.presence.geo import coordinate_problems
from healthcode.presence.model import Device, Organisation, Venue
from healthcode.presence.place_codes import PlaceClaims, encode_place_code
from healthcode.presence.ports import PresenceUnitOfWork
from healthcode.presence.serving_area import outside_problems
from healthcode.presence.settings import accepted_colours
from healthcode.presence.venue_kinds import VenueKind, kinds_text, parse_kind

MAX_NAME = 200


def _name(value: str, field: str, problems: list[Problem]) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        problems.append(Problem(field, "must not be empty"))
    elif len(text) > MAX_NAME or not text.isprintable():
        problems.append(Problem(field, f"at most {MAX_NAME} printable characters"))
    return text


def add_organisation(
    *, uow: PresenceUnitOfWork, clock: Clock, jurisdiction: str, name: str
) -> Organisation:
    """Register an organisation that operates venues or employs staff."""
    problems: list[Problem] = []
    clean = _name(name, "name", problems)
    if problems:
        raise InvalidInput(problems)
    organisation = Organisation(
        id=new_id(), name=clean, jurisdiction=jurisdiction, created_at=clock.now()
    )
    with uow:
        uow.venues.add_organisation(organisation)
        uow.commit()
    return organisation


def list_organisations(*, uow: PresenceUnitOfWork, jurisdiction: str) -> list[Organisation]:
    with uow:
        return uow.venues.organisations(jurisdiction)


def _place_code(
    uow: PresenceUnitOfWork,
    *,
    private_keys: PrivateKeyStore,
    jurisdiction: str,
    venue_id: str,
    now: datetime,
) -> str:
    key = signing_key_now(uow, jurisdiction=jurisdiction, now=now)
    claims = PlaceClaims(jurisdiction=jurisdiction, venue_id=venue_id, issued_at=now)
    return encode_place_code(claims, private_key=private_keys.load(key.kid))


@dataclass(frozen=True, kw_only=True)
class VenueDetails:
    """A venue as its organisation registers it (``add_venue`` checks every field)."""

    organisation_id: str
    name_zh: str
    name_en: str
    kind: str
    lat: float
    lon: float


def add_venue(
    *,
    uow: PresenceUnitOfWork,
    clock: Clock,
    private_keys: PrivateKeyStore,
    jurisdiction: str,
    details: VenueDetails,
) -> Venue:
    """Register a venue and sign its place code (its poster can be printed at once). A venue
    outside the area the instance serves is refused (``presence.serving_area``)."""
    organisation_id, lat, lon = details.organisation_id, details.lat, details.lon
    problems: list[Problem] = []
    zh = _name(details.name_zh, "name_zh", problems)
    en = _name(details.name_en, "name_en", problems)
    parsed = parse_kind(details.kind)
    if parsed is None:
        problems.append(Problem("kind", f"{details.kind!r} is not one of {kinds_text()}"))
    problems.extend(coordinate_problems(lat, lon))
    if problems or parsed is None:  # an unknown kind is a problem
        raise InvalidInput(problems)
    now = clock.now().replace(microsecond=0)
    venue_id = new_id()
    with uow:
        organisation = uow.venues.organisation(organisation_id)
        if organisation is None or organisation.jurisdiction != jurisdiction:
            raise InvalidInput.one("organisation", f"no organisation {organisation_id!r} here")
        outside = outside_problems(uow, jurisdiction=jurisdiction, lat=lat, lon=lon)
        if outside:
            raise InvalidInput(outside)
        venue = Venue(
            id=venue_id,
            name_zh=zh,
            name_en=en,
            kind=parsed,
            lat=float(lat),
            lon=float(lon),
            cell=cell_of(lat, lon),
            organisation_id=organisation_id,
            jurisdiction=jurisdiction,
            created_at=now,
            code_issued_at=now,
            place_code=_place_code(
                uow,
                private_keys=private_keys,
                jurisdiction=jurisdiction,
                venue_id=venue_id,
                now=now,
            ),
        )
        uow.venues.add_venue(venue)
        uow.commit()
    return venue


def get_venue(*, uow: PresenceUnitOfWork, venue_id: str) -> Venue:
    with uow:
        venue = uow.venues.venue(venue_id)
    if venue is None:
        raise NotFound("venue", venue_id)
    return venue


def list_venues(*, uow: PresenceUnitOfWork, jurisdiction: str) -> list[Venue]:
    with uow:
        return uow.venues.venues(jurisdiction)


def entry_rule(*, uow: PresenceUnitOfWork, jurisdiction: str, kind: VenueKind) -> frozenset[Colour]:
    """The colours that pass at a venue of ``kind`` under the jurisdiction's active policy."""
    with uow:
        return accepted_colours(uow.policies.active(jurisdiction), kind)


def venue_policy(*, uow: PresenceUnitOfWork, jurisdiction: str) -> Policy:
    """The jurisdiction's active policy, which its checkpoints decide by (entry colours by venue
    kind, acceptance of other jurisdictions' codes: ``checkpoint.acceptance``)."""
    with uow:
        return uow.policies.active(jurisdiction)


def parse_public_key(raw: bytes, *, field: str = "public_key") -> bytes:
    """Check that ``raw`` is a raw 32-byte Ed25519 public key."""
    from healthcode.credentials.signer import load_public_key

    if len(raw) != 32:
        raise InvalidInput.one(field, "must be a raw 32-byte Ed25519 public key")
    try:
        load_public_key(raw)
    except ValueError:
        raise InvalidInput.one(field, "is not a valid Ed25519 public key") from None
    return raw


def register_device(
    *, uow: PresenceUnitOfWork, clock: Clock, venue_id: str, public_key: bytes, serving: str
) -> Device:
    """Register a checkpoint device of a venue by its Ed25519 public key. The device's id is
    the key's id (first 8 bytes of its SHA-256, hex), so a key registers once. A device of
    another jurisdiction's venue (one outside ``serving``, this instance's) is refused: a peer
    city registers its own devices."""
    parse_public_key(public_key)
    device = Device(
        id=kid_of(public_key).hex(),
        venue_id=venue_id,
        public_key=public_key,
        registered_at=clock.now(),
    )
    with uow:
        venue = uow.venues.venue(venue_id)
        if venue is None:
            raise NotFound("venue", venue_id)
        if not contains(serving, venue.jurisdiction):
            raise InvalidInput.one(
                "venue", f"is in {venue.jurisdiction}, not in {serving}, which this instance serves"
            )
        if uow.venues.device(device.id) is not None:
            raise Conflict("public_key", "this key is registered already")
        uow.venues.add_device(device)
        uow.commit()
    return device


def revoke_device(
    *, uow: PresenceUnitOfWork, clock: Clock, principal: Principal, device_id: str
) -> Device:
    """Revoke a checkpoint device (admins; a lost or stolen one): from now on its scan
    batches, status lookups and staff checks are refused, while the scans it uploaded before
    are kept (they are presences like any other, and count for tracing)."""
    require(principal, Action.MANAGE_VENUES)
    device_id = clean_text(device_id, field="device", kind=TextKind.IDENTIFIER)
    with uow:
        device = uow.venues.device(device_id)
        venue = None if device is None else uow.venues.venue(device.venue_id)
        if device is None or venue is None:
            raise NotFound("device", device_id)
        require_scope(principal, venue.jurisdiction, action=Action.MANAGE_VENUES)
        if device.revoked_at is not None:
            raise Conflict("device", f"was revoked already, at {device.revoked_at.isoformat()}")
        uow.venues.revoke_device(device_id, at=clock.now())
        revoked = uow.venues.device(device_id)
        uow.commit()
    if revoked is None:  # never: a device is never deleted
        raise NotFound("device", device_id)
    return revoked


def reissue_place_code(
    *, uow: PresenceUnitOfWork, clock: Clock, private_keys: PrivateKeyStore, venue_id: str
) -> Venue:
    """Sign a new place code for the venue; posters of the old one stop working."""
    now = clock.now().replace(microsecond=0)
    with uow:
        venue = uow.venues.venue(venue_id)
        if venue is None:
            raise NotFound("venue", venue_id)
        if now <= venue.code_issued_at:
            raise Conflict("place_code", "issued this second already")
        code = _place_code(
            uow,
            private_keys=private_keys,
            jurisdiction=venue.jurisdiction,
            venue_id=venue.id,
            now=now,
        )
        venue = replace(venue, code_issued_at=now, place_code=code)
        uow.venues.save_venue(venue)
        uow.commit()
    return venue
