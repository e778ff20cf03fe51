"""A visitor of another city checking in with this city's place code, on their home code
(docs/federation.md#visitors-check-ins)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field

from healthcode.api.auth import Public
from healthcode.api.deps import ContainerDep
from healthcode.api.language import Language
from healthcode.api.responses import SIGNED
from healthcode.api.types import RequestTime, Token
from healthcode.federation.trust import federated_trust_store
from healthcode.oversight.access import Action
from healthcode.presence.checkins import PlaceScan
from healthcode.presence.visitor_checkins import VisitorCheckin, visitor_check_in

router = APIRouter(prefix="/api/v1", tags=["presence"])


class VisitorCheckinIn(BaseModel):
    """A visitor's check-in: their home code, the scanned place code, the phone's position and
    time."""

    model_config = ConfigDict(extra="forbid")
    code: Token = Field(description="The visitor's own health code (HZ2:…), of a peer city")
    place_code: Token = Field(description="The scanned place code text (HZP1:…)")
    lat: float = Field(description="The phone's position when scanning")
    lon: float
    at: RequestTime | None = Field(default=None, description="The phone's time (default: now)")


class VisitorCheckinOut(BaseModel):
    """Pass or stop at the venue, the home code's issuer and colour, whether it was kept."""

    venue: str
    venue_name_zh: str
    venue_name_en: str
    issuer: str
    colour: str
    outcome: str = Field(description="pass or stop, by this city's acceptance rules")
    decision: str = Field(description="The verifier's message, naming the rule for a stop")
    distance_m: float
    flag: str | None = Field(description="far_from_venue: answered but not kept")
    recorded: bool = Field(description="Kept as a visitor's presence, which tracing reads")
    text: str = Field(description="What to show, in the language asked for")

    @classmethod
    def answer(cls, result: VisitorCheckin, lang: str) -> VisitorCheckinOut:
        return cls(
            venue=result.venue.id,
            venue_name_zh=result.venue.name_zh,
            venue_name_en=result.venue.name_en,
            issuer=result.issuer,
            colour=result.colour,
            outcome=result.outcome,
            decision=result.decision,
            distance_m=result.distance_m,
            flag=result.flag,
            recorded=result.recorded,
            text=result.texts.get(lang, result.texts["en"]),
        )


@router.post(
    "/visitors/checkins",
    status_code=status.HTTP_201_CREATED,
    response_model=VisitorCheckinOut,
    dependencies=[Depends(Public(Action.VISITOR_CHECK_IN))],
    responses=SIGNED,
)
def visitor_checkin(
    body: VisitorCheckinIn, container: ContainerDep, lang: Language
) -> VisitorCheckinOut:
    """Check a visitor of a peer city in with this city's place code: their home code is
    verified against the peer's held list, the answer is pass or stop by this city's
    acceptance rules for the venue's kind, and the check-in is kept as a visitor's presence
    (issuer and opaque subject only) unless the phone is far from the venue."""
    settings = container.settings
    store, _ = federated_trust_store(
        uow=container.uow(),
        clock=container.clock,
        private_keys=container.private_keys,
        jurisdiction=settings.jurisdiction,
        code_lifetime=settings.code_lifetime,
        clock_skew=settings.clock_skew,
        cache=container.federated_stores,
        list_lifetime=settings.trust_list_lifetime,
    )
    result = visitor_check_in(
        uow=container.uow(),
        clock=container.clock,
        jurisdiction=settings.jurisdiction,
        trust_store=store,
        code=body.code,
        scan=PlaceScan(place_code=body.place_code, lat=body.lat, lon=body.lon, at=body.at),
    )
    return VisitorCheckinOut.answer(result, lang)
