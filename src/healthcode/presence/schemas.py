"""Request and response bodies for check-ins, rides, location pings, the itinerary, employers,
organisations, venues, devices, scan uploads and staff checks."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from healthcode.api.types import Identifier, Name, RequestTime, Token
from healthcode.kernel.facts import Arrival, Presence
from healthcode.presence.checkins import CheckinResult
from healthcode.presence.employers import Employment
from healthcode.presence.locations import LocationReceipt
from healthcode.presence.model import Checkin, StaffMember
from healthcode.presence.scans import Receipt
from healthcode.presence.stays import ItineraryEntry

StaffAnswer = Literal["pass", "stop", "not_listed"]


# Citizens


class CheckinIn(BaseModel):
    """A scanned place code with the phone's position and time."""

    model_config = ConfigDict(extra="forbid")
    place_code: Token = Field(description="The scanned place code text (HZP1:…)")
    lat: float = Field(description="The phone's position when scanning")
    lon: float
    at: RequestTime | None = Field(default=None, description="The phone's time (default: now)")


class CheckinOut(BaseModel):
    """A check-in at a venue with its state (accepted, flagged, confirmed, rejected)."""

    id: str
    subject: str
    venue: str
    at: datetime
    lat: float
    lon: float
    distance_m: float
    flag: str | None
    state: str
    outcome: str
    message: str
    presence_id: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None

    @classmethod
    def of(cls, c: Checkin) -> CheckinOut:
        return cls(
            id=c.id,
            subject=c.subject,
            venue=c.venue_id,
            at=c.at,
            lat=c.lat,
            lon=c.lon,
            distance_m=c.distance_m,
            flag=c.flag,
            state=c.state,
            outcome=c.outcome,
            message=c.message,
            presence_id=c.presence_id,
            reviewed_by=c.reviewed_by,
            reviewed_at=c.reviewed_at,
        )


class CheckinAnswer(CheckinOut):
    """A new check-in with the venue's names and what to show the citizen."""

    venue_name_zh: str
    venue_name_en: str
    text: str = Field(description="What to show, in the language asked for")
    flagged: bool

    @classmethod
    def answer(cls, result: CheckinResult, lang: str) -> CheckinAnswer:
        return cls(
            **CheckinOut.of(result.checkin).model_dump(),
            venue_name_zh=result.venue.name_zh,
            venue_name_en=result.venue.name_en,
            text=result.texts.get(lang, result.texts["en"]),
            flagged=result.flagged,
        )


class RideIn(BaseModel):
    """A bus or subway ride: the line, the vehicle, and when the citizen boarded and alighted."""

    model_config = ConfigDict(extra="forbid")
    line: Identifier = Field(description="The venue id of the bus route or subway line")
    vehicle: Identifier = Field(examples=["浙A12345"])
    boarded_at: RequestTime
    alighted_at: RequestTime


class PresenceOut(BaseModel):
    """A presence: where and when the service holds that the person was, and from what source."""

    id: str
    place_id: str
    place_kind: str
    at: datetime
    until: datetime
    source: str
    cell: str | None

    @classmethod
    def of(cls, p: Presence) -> PresenceOut:
        return cls(
            id=p.id,
            place_id=p.place_id,
            place_kind=p.place_kind,
            at=p.at,
            until=p.until,
            source=p.source,
            cell=p.cell,
        )


class OwnPing(BaseModel):
    """One GPS position of the caller's phone."""

    model_config = ConfigDict(extra="forbid")
    lat: float
    lon: float
    at: RequestTime


class OwnPingsIn(BaseModel):
    """The caller's phone's own GPS pings."""

    model_config = ConfigDict(extra="forbid")
    pings: list[OwnPing]


class PingIn(BaseModel):
    """One telecom or GPS position of a person, in an imported batch."""

    model_config = ConfigDict(extra="forbid")
    subject: Identifier
    lat: float
    lon: float
    at: RequestTime
    source: Literal["gps", "telecom"]


class PingsIn(BaseModel):
    """A telecom or GPS batch of pings (any subjects)."""

    model_config = ConfigDict(extra="forbid")
    pings: list[PingIn]


class ArrivalOut(BaseModel):
    """An arrival that a batch of pings shows: who moved from which region to which, and when."""

    subject: str
    from_: str = Field(serialization_alias="from", description="GB/T 2260 region code")
    to: str = Field(description="GB/T 2260 region code")
    at: datetime

    @classmethod
    def of(cls, arrival: Arrival) -> ArrivalOut:
        return cls(
            subject=arrival.subject,
            from_=arrival.from_region,
            to=arrival.to_region,
            at=arrival.at,
        )


class LocationReceiptOut(BaseModel):
    """What an imported batch of pings stored: counts, and the arrivals it shows."""

    pings: int
    subjects: int
    stays: int
    stored: int
    arrivals: list[ArrivalOut]

    @classmethod
    def of(cls, receipt: LocationReceipt) -> LocationReceiptOut:
        return cls(
            pings=receipt.pings,
            subjects=receipt.subjects,
            stays=receipt.stays,
            stored=receipt.stored,
            arrivals=[ArrivalOut.of(a) for a in receipt.arrivals],
        )


class ItineraryEntryOut(BaseModel):
    """A jurisdiction where the phone stayed 4 h or more in the last 14 days."""

    jurisdiction: str
    first_at: datetime
    last_until: datetime
    longest_hours: float = Field(description="The longest stay, in hours (two decimals)")

    @classmethod
    def of(cls, entry: ItineraryEntry) -> ItineraryEntryOut:
        return cls(
            jurisdiction=entry.jurisdiction,
            first_at=entry.first_at,
            last_until=entry.last_until,
            longest_hours=round(entry.longest.total_seconds() / 3600, 2),
        )


class EmploymentOut(BaseModel):
    """An organisation that listed the caller as staff, and whether the caller consented."""

    organisation: str
    name: str
    state: Literal["pending", "active", "withdrawn"]
    listed_at: datetime
    consented_at: datetime | None
    withdrawn_at: datetime | None

    @classmethod
    def of(cls, e: Employment) -> EmploymentOut:
        return cls(
            organisation=e.organisation_id,
            name=e.organisation_name,
            state=e.state,
            listed_at=e.listed_at,
            consented_at=e.consented_at,
            withdrawn_at=e.withdrawn_at,
        )


# Venues and checkpoints


class OrganisationIn(BaseModel):
    """An organisation to register."""

    model_config = ConfigDict(extra="forbid")
    name: Name = Field(examples=["西湖餐饮有限公司"])


class OrganisationOut(BaseModel):
    """An organisation that operates venues or employs staff."""

    id: str
    name: str
    jurisdiction: str
    created_at: datetime


class StaffIn(BaseModel):
    """A person to list as the organisation's staff."""

    model_config = ConfigDict(extra="forbid")
    subject: Identifier


class StaffMemberOut(BaseModel):
    """A person listed as an organisation's staff, and whether the person consented."""

    organisation: str
    subject: str
    listed_at: datetime
    consented: bool = Field(description="Consented and not withdrawn")

    @classmethod
    def of(cls, member: StaffMember) -> StaffMemberOut:
        return cls(
            organisation=member.organisation_id,
            subject=member.subject,
            listed_at=member.listed_at,
            consented=member.active,
        )


class VenueIn(BaseModel):
    """A venue to register."""

    model_config = ConfigDict(extra="forbid")
    organisation: Identifier
    name_zh: Name = Field(examples=["楼外楼"])
    name_en: Name = Field(examples=["Louwailou"])
    kind: Identifier = Field(
        examples=["restaurant"], description="bus_route, subway_station, …, other"
    )
    lat: float
    lon: float


class VenueOut(BaseModel):
    """A venue with its place code and the colours that pass there."""

    id: str
    name_zh: str
    name_en: str
    kind: str
    lat: float
    lon: float
    cell: str = Field(description="H3 resolution-8 cell")
    organisation: str
    jurisdiction: str
    place_code: str
    code_issued_at: datetime
    entry_colours: list[str] = Field(description="Colours that pass here under the policy")


class DeviceIn(BaseModel):
    """A checkpoint device to register, by its public key."""

    model_config = ConfigDict(extra="forbid")
    public_key: Identifier = Field(
        description="The device's Ed25519 public key, base64url (32 bytes)"
    )


class RevokedDeviceOut(BaseModel):
    """A checkpoint device revoked: its later batches are refused, its earlier scans kept."""

    device: str
    venue: str
    active: bool
    revoked_at: datetime | None


class DeviceOut(BaseModel):
    """A registered checkpoint device with its venue and the colours that pass there."""

    device: str
    venue: str
    kind: str
    jurisdiction: str
    entry_colours: list[str]
    registered_at: datetime


class ScanReceiptOut(BaseModel):
    """What the server acknowledges once a device's batch of scans is committed."""

    batch: str
    device: str
    venue: str
    scans: int = Field(description="Scans in the batch")
    stored: int = Field(description="Scans new to the server")
    duplicates: int = Field(description="Scans the server held already")
    foreign: int = Field(description="Scans of codes issued elsewhere")
    visitors: int = Field(
        default=0,
        description="Of those, scans of a peer's codes new to the server, kept as visitors' "
        "presences (issuer and opaque subject only) so tracing finds them",
    )
    fevers: int = Field(description="Fever declarations recorded (scans at 37.3 °C or more)")
    first_time: bool = Field(description="Whether the batch itself was new")

    @classmethod
    def of(cls, receipt: Receipt) -> ScanReceiptOut:
        return cls(
            batch=receipt.batch,
            device=receipt.device,
            venue=receipt.venue,
            scans=receipt.scans,
            stored=receipt.stored,
            duplicates=receipt.duplicates,
            foreign=receipt.foreign,
            visitors=receipt.visitors,
            fevers=receipt.fevers,
            first_time=receipt.first_time,
        )


class StaffCheckOut(BaseModel):
    """A gate's answer for each subject it asked about."""

    answers: dict[str, StaffAnswer] = Field(
        description="Subject → pass or stop (consenting staff), or not_listed (anyone else)"
    )
