"""A visitor of another city checking in with this city's place code (issue 13, item 5;
docs/federation.md#visitors-check-ins).

The visitor has no account here. Their phone sends this city the venue's place code, the phone's
position and time **and their own home code** (``HZ2:…``, signed by their home city). The code
is verified against the home city's trust list held here (a peer's, as a checkpoint verifies
it), the place code against this city's keys; the answer is pass or stop by this city's
acceptance rules for the venue's kind, as at a checkpoint. The check-in is kept as a **visitor's
presence** under the code's issuer and opaque subject, exactly like a checkpoint's scan of a
visitor: tracing finds it the same way, and an exposure goes home as a signed peer message.

Nothing else crosses: the home city is not asked and learns nothing (where its residents go in
another city is not its business; only an exposure found here is sent home). A check-in farther
from the venue than ``checkin.max_distance_m`` is answered, says so, and is **not kept**: a
resident's such check-in waits for an official's review, but a visitor has no record here to
review it against. A code of this city is refused: residents check in with their account."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from healthcode.checkpoint.acceptance import acceptance_for, max_trust_list_age
from healthcode.credentials.truststore import TrustStore
from healthcode.credentials.verify import Outcome, verify
from healthcode.federation.visitors import trusted_issuers
from healthcode.federation.visitors_model import VisitorPresence
from healthcode.kernel.clock import Clock
from healthcode.kernel.errors import InvalidInput
from healthcode.presence.checkins import FAR_FROM_VENUE, PlaceScan, checkin_texts, scanned_venue
from healthcode.presence.geo import distance_metres
from healthcode.presence.model import Venue
from healthcode.presence.ports import PresenceUnitOfWork
from healthcode.presence.settings import accepted_colours, checkin_max_distance

CODE_FIELD: Final = "code"
VISITOR_CHECKIN: Final = "checkin"
"""The ``source`` of a visitor's presence from a check-in (a checkpoint's scan: ``scan``)."""


@dataclass(frozen=True, kw_only=True)
class VisitorCheckin:
    """The answer to a visitor's check-in: pass or stop here, their home code's colour and
    issuer, whether it was kept as a presence (not when far from the venue), and what to show."""

    venue: Venue
    issuer: str
    colour: str
    outcome: str
    decision: str
    distance_m: float
    flag: str | None
    presence_id: str | None
    texts: dict[str, str]

    @property
    def recorded(self) -> bool:
        return self.presence_id is not None


def presence_id(issuer: str, subject: str, venue_id: str, at: str) -> str:
    """The id of a visitor's check-in presence: the same check-in sent twice is kept once."""
    parts = (VISITOR_CHECKIN, issuer, subject, venue_id, at)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def visitor_check_in(
    *,
    uow: PresenceUnitOfWork,
    clock: Clock,
    jurisdiction: str,
    trust_store: TrustStore,
    code: str,
    scan: PlaceScan,
) -> VisitorCheckin:
    """Check a visitor in at the venue of ``scan``'s place code on their home ``code``
    (verified against ``trust_store``: this city's and its peers' lists). ``InvalidInput``
    (nothing kept): a bad place code or position, a time out of range, a code that does not
    verify (its reason named on ``code``) or one of this city."""
    lat, lon = scan.lat, scan.lon
    now = clock.now()
    with uow:
        venue, policy, when = scanned_venue(uow, scan=scan, jurisdiction=jurisdiction, now=now)
        own = accepted_colours(policy, venue.kind)
        acceptance = acceptance_for(
            policy, kind=venue.kind.value, own_colours=own, trusted=trusted_issuers(uow)
        )
        decision = verify(  # presented now: a code valid now, whenever the phone scanned
            code,
            trust_lists=trust_store,
            at=now,
            acceptance=acceptance,
            max_trust_list_age=max_trust_list_age(policy),
        )
        if decision.outcome is Outcome.INVALID:
            raise InvalidInput.one(CODE_FIELD, f"{decision.reason.value}: {decision.message}")
        if decision.issuer == jurisdiction or decision.issuer is None or not decision.subject:
            raise InvalidInput.one(
                CODE_FIELD, f"a code of {jurisdiction}: check in with your own account"
            )
        outcome = "pass" if decision.passed else "stop"
        limit = checkin_max_distance(policy)
        distance = distance_metres(lat, lon, venue.lat, venue.lon)
        flag = FAR_FROM_VENUE if distance > limit else None
        kept: str | None = None
        if flag is None:
            kept = presence_id(decision.issuer, decision.subject, venue.id, when.isoformat())
            uow.visitors.add_presences(
                [
                    VisitorPresence(
                        id=kept,
                        issuer=decision.issuer,
                        subject=decision.subject,
                        place_id=venue.id,
                        place_kind=venue.kind.value,
                        place_name=f"{venue.name_zh} ({venue.name_en})"[:200],
                        at=when,
                        until=when,
                        source=VISITOR_CHECKIN,
                        cell=venue.cell,
                        recorded_at=now,
                    )
                ]
            )
        uow.commit()
    texts = checkin_texts(venue, outcome, flag, distance, None)
    if decision.outcome is Outcome.STOP:
        texts = {lang: f"{text} ({decision.message})" for lang, text in texts.items()}
    return VisitorCheckin(
        venue=venue,
        issuer=decision.issuer,
        colour=decision.colour.value if decision.colour is not None else "",
        outcome=outcome,
        decision=decision.message,
        distance_m=round(distance, 1),
        flag=flag,
        presence_id=kept,
        texts=texts,
    )
