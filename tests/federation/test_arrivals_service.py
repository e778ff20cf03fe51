"""Arrivals with consent between Beijing (the test's database, each backend) and Shanghai (its
own database): the token, the signed exchange, the arrival recorded and audited on both sides,
Beijing's arrival rule making the Shanghai visitor yellow for 14 days and green on time; and
every refusal recording nothing."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest

from arrivals_helpers import BEIJING, SHANGHAI, Cities, DownLink, beijing_and_shanghai, official_of
from federation_helpers import add_peer, root_key_text
from healthcode.container import Container
from healthcode.credentials.signer import generate_private_key
from healthcode.federation.arrivals import issue_consent
from healthcode.federation.arrivals_destination import (
    OriginDown,
    VisitorStatus,
    record_arrival,
    visitor_status,
)
from healthcode.federation.arrivals_model import new_consent, sign_consent
from healthcode.federation.arrivals_ports import PeerLink
from healthcode.federation.model import NewPeer, parse_root_key
from healthcode.kernel.clock import FixedClock
from healthcode.kernel.errors import Conflict, InvalidInput, NotFound
from healthcode.kernel.facts import Colour
from healthcode.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test's container serves Beijing."""
    return settings.model_copy(update={"jurisdiction": BEIJING})


def _consent(cities: Cities, destination: str = BEIJING, minutes: int = 30) -> tuple[str, str]:
    citizen = cities.resident()
    issued = issue_consent(
        uow=cities.shanghai.uow(),
        clock=cities.shanghai.clock,
        private_keys=cities.shanghai.private_keys,
        principal=citizen,
        destination=destination,
        serving=SHANGHAI,
        lifetime=timedelta(minutes=minutes),
    )
    return issued.token, citizen.id


def _arrive(cities: Cities, token: str, link: PeerLink | None = None) -> VisitorStatus:
    return record_arrival(
        uow_factory=cities.beijing.uow,
        clock=cities.beijing.clock,
        private_keys=cities.beijing.private_keys,
        principal=cities.officer,
        token=token,
        link=link or cities.link(),
        serving=BEIJING,
    )


def test_a_shanghai_visitor_arrives_in_beijing(
    container: Container, clock: FixedClock, tmp_path: Path, sqlite_template: Path
) -> None:
    """Yellow 14 days by Beijing's rule, green on time; both cities audit the exchange."""
    with beijing_and_shanghai(container, tmp_path, sqlite_template) as cities:
        token, subject = _consent(cities)
        assert token.startswith("HZC1:")
        arrived_at = clock.now()
        visitor = _arrive(cities, token)
        assert (visitor.issuer, visitor.subject) == (SHANGHAI, subject)
        (arrival,) = visitor.arrivals
        assert arrival.origin_colour.value == "green" and arrival.origin_reasons == ()
        assert visitor.status.colour is Colour.YELLOW
        assert [r.rule_id for r in visitor.status.reasons] == ["arrival-other-province"]
        assert visitor.status.valid_until == arrived_at + timedelta(days=14)
        with pytest.raises(Conflict):
            _arrive(cities, token)  # one consent, one arrival
        with container.uow() as uow, pytest.raises(Conflict):  # ... even in a race
            uow.arrivals.add(arrival, consent=hashlib.sha256(token.encode()).hexdigest())
        origin_log = cities.shanghai.uow()
        with origin_log:
            (read,) = origin_log.audit.for_subject(subject)
        assert (read.actor, read.role, read.purpose) == ("peer:110000", "peer", "arrival")
        beijing_log = container.uow()
        with beijing_log:
            (recorded,) = beijing_log.audit.for_subject(subject)
        assert recorded.purpose == "arrival" and SHANGHAI in recorded.what
        official = official_of(container, "zhao")
        clock.advance(timedelta(days=14) - timedelta(seconds=1))
        still = visitor_status(
            uow=container.uow(),
            clock=clock,
            principal=official,
            issuer=SHANGHAI,
            subject=subject,
            serving=BEIJING,
        )
        assert still.status.colour is Colour.YELLOW
        clock.advance(timedelta(seconds=1))
        later = visitor_status(
            uow=container.uow(),
            clock=clock,
            principal=official,
            issuer=SHANGHAI,
            subject=subject,
            serving=BEIJING,
        )
        assert later.status.colour is Colour.GREEN and later.status.reasons == ()


def test_forged_expired_and_misdirected_tokens_are_refused(
    container: Container, clock: FixedClock, tmp_path: Path, sqlite_template: Path
) -> None:
    """A forged, tampered, expired or other-destination token records nothing."""
    with beijing_and_shanghai(container, tmp_path, sqlite_template) as cities:
        token, subject = _consent(cities)
        forged = sign_consent(
            new_consent(
                issuer=SHANGHAI,
                subject=subject,
                destination=BEIJING,
                now=clock.now(),
                lifetime=timedelta(minutes=5),
            ),
            private_key=generate_private_key(),
        )
        tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        add_peer(  # Hangzhou a peer of Shanghai too, for a consent given to it
            cities.shanghai,
            NewPeer("330100", "http://hz.test", parse_root_key(root_key_text(container))),
            proposer="sh-admin",
        )
        elsewhere, _ = _consent(cities, destination="330100")
        short, _ = _consent(cities, minutes=1)
        clock.advance(timedelta(minutes=2))
        for bad, why in (
            (forged, "unknown_key"),
            (tampered, ""),
            (elsewhere, "other_destination"),
            (short, "expired"),
            ("HZ2:NOTACONSENT", "malformed"),
        ):
            with pytest.raises(InvalidInput) as refused:
                _arrive(cities, bad)
            assert why in str(refused.value), (why, str(refused.value))
        with pytest.raises(NotFound):
            visitor_status(
                uow=container.uow(),
                clock=clock,
                principal=official_of(container, "zhao"),
                issuer=SHANGHAI,
                subject=subject,
                serving=BEIJING,
            )


def test_the_origin_down_records_nothing(
    container: Container, clock: FixedClock, tmp_path: Path, sqlite_template: Path
) -> None:
    """The origin not answering is a clear error naming it; nothing is recorded or audited."""
    with beijing_and_shanghai(container, tmp_path, sqlite_template) as cities:
        token, subject = _consent(cities)
        down = DownLink()
        with pytest.raises(OriginDown, match="310000 did not answer"):
            _arrive(cities, token, down)
        assert down.posted == ["http://testserver/api/v1/federation/arrival-status"]
        with container.uow() as uow:
            assert not uow.arrivals.of_visitor(SHANGHAI, subject)
            assert not uow.audit.for_subject(subject)
        assert _arrive(cities, token).status.colour is Colour.YELLOW  # the same token, later
