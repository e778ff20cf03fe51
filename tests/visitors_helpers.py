"""Two cities for visitors' tests: Hangzhou (the test's container) and Beijing (another
instance in this process, its own SQLite database), each the other's peer, Beijing holding
Hangzhou's list; a Beijing bus with a checkpoint device; posting between them in process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fastapi.testclient import TestClient

from factories import register, resident_id
from federation_helpers import add_peer, app_fetcher, city_instance, root_key_text
from healthcode.app import create_app
from healthcode.codes.keys import init_keys
from healthcode.container import Container
from healthcode.federation.messages_http import HttpPeerPoster
from healthcode.federation.model import NewPeer, parse_root_key
from healthcode.federation.sync import sync_all
from healthcode.federation.visitors_ports import PeerMessageRefused
from healthcode.identity.registration import register_person
from healthcode.presence.model import Venue
from healthcode.presence.scans import Receipt, upload_scans
from healthcode.presence.venues import VenueDetails, add_organisation, add_venue
from presence_helpers import DeviceKit, device, scan

HANGZHOU = "330100"
BEIJING = "110000"
TIANANMEN = (39.9087, 116.3975)


class RecordingPoster(HttpPeerPoster):
    """Posts to another city's app through the test's client, keeping each document sent;
    ``down`` refuses as a peer that does not answer would. Closing leaves the client open."""

    def __init__(self, client: TestClient, sent: list[str], down: Callable[[], bool]) -> None:
        super().__init__(client)
        self._sent, self._down = sent, down

    def post(self, base_url: str, document: str) -> None:
        if self._down():
            raise PeerMessageRefused(f"connection refused by {base_url}")
        self._sent.append(document)
        super().post(base_url, document)

    def close(self) -> None:
        return None


@dataclass
class TwoCities:
    hangzhou: Container
    beijing: Container
    hangzhou_client: TestClient
    bus: Venue
    checkpoint: DeviceKit
    sent: list[str] = field(default_factory=list)
    down: bool = False

    def hangzhou_resident(self, seq: int = 1) -> str:
        return _resident(self.hangzhou, seq)

    def beijing_resident(self, seq: int = 2) -> str:
        return _resident(self.beijing, seq)

    def upload(self, scans: list[tuple[int, str, str, datetime]]) -> Receipt:
        """The Beijing bus checkpoint's batch (bus B-1001): (seq, issuer, subject, at) each."""
        records = [
            scan(seq, subject, at, issuer=issuer, vehicle="B-1001")
            for seq, issuer, subject, at in scans
        ]
        return upload_scans(
            uow=self.beijing.uow(),
            clock=self.beijing.clock,
            jurisdiction=BEIJING,
            batch=self.checkpoint.batch(records),
        )


def _resident(city: Container, seq: int) -> str:
    return register_person(
        uow=city.uow(),
        clock=city.clock,
        jurisdiction=city.settings.jurisdiction,
        person=register(id_number=resident_id(seq), phone=f"139{seq:08d}"),
    ).subject


def _peer(city: Container, other: Container, admin: str) -> None:
    add_peer(
        city,
        NewPeer(
            other.settings.jurisdiction, "http://testserver", parse_root_key(root_key_text(other))
        ),
        proposer=admin,
    )


@contextmanager
def two_cities(hangzhou: Container, folder: Path, template: Path) -> Iterator[TwoCities]:
    init_keys(
        uow=hangzhou.uow(),
        clock=hangzhou.clock,
        private_keys=hangzhou.private_keys,
        jurisdiction=HANGZHOU,
    )
    with (
        city_instance(folder, template, jurisdiction=BEIJING, clock=hangzhou.clock) as beijing,
        TestClient(create_app(container=hangzhou)) as hangzhou_client,
    ):
        _peer(hangzhou, beijing, "hz-admin")
        _peer(beijing, hangzhou, "bj-admin")
        beijing.peer_fetcher = app_fetcher(hangzhou_client)
        sync_all(
            uow_factory=beijing.uow,
            clock=beijing.clock,
            fetcher=beijing.peer_fetcher(),
            clock_skew=beijing.settings.clock_skew,
        )
        org = add_organisation(
            uow=beijing.uow(), clock=beijing.clock, jurisdiction=BEIJING, name="北京公交集团"
        )
        bus = add_venue(
            uow=beijing.uow(),
            clock=beijing.clock,
            private_keys=beijing.private_keys,
            jurisdiction=BEIJING,
            details=VenueDetails(
                organisation_id=org.id,
                name_zh="1路公交",
                name_en="Bus route 1",
                kind="bus_route",
                lat=TIANANMEN[0],
                lon=TIANANMEN[1],
            ),
        )
        world = TwoCities(hangzhou, beijing, hangzhou_client, bus, device(beijing, bus))
        beijing.peer_poster = lambda: RecordingPoster(
            hangzhou_client, world.sent, lambda: world.down
        )
        yield world
